namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// A test case that runs as a leak run: <see cref="LeakTestCase"/> (a <c>[NoLeak]</c> test or one pre-enumerated data
/// row of a <c>[NoLeakTheory]</c>) or <see cref="LeakTheoryTestCase"/> (a theory whose rows are enumerated at run time).
/// <see cref="LeakGuardTestAssemblyRunner"/> runs these alone, after every other test. Their settings are not carried
/// by the test case: <see cref="LeakConfiguration"/> reads every layer, the method's attribute included, when the test runs.
/// </summary>
internal interface ILeakTestCase { }
