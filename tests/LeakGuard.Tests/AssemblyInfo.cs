// Leak runs measure the whole process: tests in this assembly must not run in parallel with each other.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
