// Every test here reads the results of xUnit v3 runs in child processes; runs are started one at a time (the test
// executable's leak tests should not compete for the CPU with another run's), so the tests do not run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
