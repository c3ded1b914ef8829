using Xunit.v3;

namespace LeakGuard.Xunit.Sdk;

/// <summary>
/// Puts leak tests in a test collection with parallelization disabled, so that no ordinary test runs while a leak run
/// samples the process: xUnit v3 runs every parallel collection first and waits for all of them, then the collections
/// with parallelization disabled, one at a time.
/// </summary>
/// <remarks>
/// <para>A test whose collection already disables parallelization
/// (<c>[CollectionDefinition(..., DisableParallelization = true)]</c>) stays in it. Otherwise it moves to a companion
/// of its collection: same collection definition (so the same collection fixtures, traits, orderer and before/after
/// attributes), parallelization disabled, and the display name followed by <see cref="DisplayNameSuffix"/>. The
/// companion is decided at discovery and travels with the test case when runners serialize it. When the whole run is
/// not parallel (<c>DisableTestParallelization</c>, <c>-parallel none</c>) the move changes nothing but the grouping.</para>
/// <para>A class with both ordinary and leak tests therefore runs in two collections: its class fixtures, and the
/// collection fixtures of a collection it shares with ordinary tests, are created once for each.</para>
/// </remarks>
internal static class NonParallelCollection
{
    /// <summary>Appended to the display name of the companion collection.</summary>
    public const string DisplayNameSuffix = " (LeakGuard: not parallel)";

    /// <summary>The test method as seen from a collection with parallelization disabled (itself when its collection already is one).</summary>
    public static IXunitTestMethod Of(IXunitTestMethod testMethod)
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var collection = testMethod.TestClass.TestCollection;
        if (collection.DisableParallelization)
            return testMethod;

        var companion = new XunitTestCollection(
            collection.TestAssembly,
            collection.CollectionDefinition,
            disableParallelization: true,
            collection.TestCollectionDisplayName + DisplayNameSuffix
        );
        var testClass = new XunitTestClass(testMethod.TestClass.Class, companion);
        return new XunitTestMethod(testClass, testMethod.Method, testMethod.TestMethodArguments);
    }
}
