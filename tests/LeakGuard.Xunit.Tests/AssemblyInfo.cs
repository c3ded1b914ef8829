// The acceptance tests run test classes in-process through xUnit's pipeline, and the leak runs there sample this
// whole process: no other test of this project may run at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
