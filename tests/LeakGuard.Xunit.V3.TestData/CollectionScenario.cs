namespace LeakGuard.Xunit.V3.TestData;

// Where leak tests run: a test whose collection already disables parallelization stays in it; a test of a parallel
// collection moves to a non-parallel companion that keeps the collection's fixtures.

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "LeakGuard serial collection";
}

/// <summary>A leak test in a user's non-parallel collection stays there.</summary>
[Collection(SerialCollection.Name)]
public sealed class SerialCollectionScenario
{
    [NoLeak(Iterations = 10)]
    public void LeakTestInSerialCollection() => GC.KeepAlive(new object());

    [Fact]
    public void OrdinaryTestInSerialCollection() => Assert.True(true);
}

/// <summary>A collection fixture: counts its instances.</summary>
public sealed class CountingFixture
{
    private static int _created;

    public CountingFixture() => Instance = Interlocked.Increment(ref _created);

    public int Instance { get; }
}

[CollectionDefinition(Name)]
public sealed class FixtureCollection : ICollectionFixture<CountingFixture>
{
    public const string Name = "LeakGuard fixture collection";
}

/// <summary>A leak test of a parallel collection with a collection fixture: it moves to the companion collection and still gets the fixture.</summary>
[Collection(FixtureCollection.Name)]
public sealed class FixtureCollectionScenario(CountingFixture fixture)
{
    [NoLeak(Iterations = 10)]
    public void LeakTestWithCollectionFixture() => GC.KeepAlive(fixture);

    [Fact]
    public void OrdinaryTestWithCollectionFixture() => Assert.True(fixture.Instance > 0);
}
