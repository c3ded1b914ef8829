using LeakGuard.HeapAnalysis;
using Shouldly;
using Xunit;
using Hop = LeakGuard.HeapAnalysis.PathFormatter.Hop;

namespace LeakGuard.Tests.Diagnostics;

/// <summary>How a retention path reads: framework internals compressed, the user's types and fields kept.</summary>
public class PathFormatterTests
{
    [Fact]
    public void A_static_events_invocation_list_reads_as_such()
    {
        var text = PathFormatter.Format(
            "static Contoso.PriceFeed.PriceChanged",
            [
                new Hop("", "System.EventHandler<Contoso.Quote>", IsDelegate: true, IsArray: false),
                new Hop("_invocationList", "System.Object[]", IsDelegate: false, IsArray: true),
                new Hop("[]", "System.EventHandler<Contoso.Quote>", IsDelegate: true, IsArray: false),
                new Hop("_target", "Contoso.PriceSubscriber", IsDelegate: false, IsArray: false),
            ]
        );

        text.ShouldBe("static Contoso.PriceFeed.PriceChanged (EventHandler<Quote>) → invocation list → PriceSubscriber");
    }

    [Fact]
    public void A_single_delegates_target_and_a_closures_fields_keep_their_names()
    {
        var text = PathFormatter.Format(
            "static Contoso.Handlers.ByKey",
            [
                new Hop("", "System.Collections.Generic.Dictionary<System.Int32, System.Func<System.Int32>>", false, false),
                new Hop("_entries", "System.Collections.Generic.Dictionary<System.Int32, System.Func<System.Int32>>+Entry[]", false, true),
                new Hop("[].value", "System.Func<System.Int32>", true, false),
                new Hop("_target", "Contoso.Handlers+<>c__DisplayClass2_0", false, false),
                new Hop("state", "Contoso.State", false, false),
            ]
        );

        text.ShouldBe(
            "static Contoso.Handlers.ByKey (Dictionary<Int32, Func<Int32>>) → _entries[].value → target (Handlers+<>c__DisplayClass2_0) → state → State"
        );
    }

    [Fact]
    public void A_repeated_step_is_counted_and_framework_objects_show_no_type()
    {
        var text = PathFormatter.Format(
            "static Contoso.Tokens.Root",
            [
                new Hop("", "System.Threading.CancellationTokenSource", false, false),
                new Hop("_registrations", "System.Threading.CancellationTokenSource+Registrations", false, false),
                new Hop("Callbacks", "System.Threading.CancellationTokenSource+CallbackNode", false, false),
                new Hop("Next", "System.Threading.CancellationTokenSource+CallbackNode", false, false),
                new Hop("Next", "System.Threading.CancellationTokenSource+CallbackNode", false, false),
                new Hop("Next", "System.Threading.CancellationTokenSource+CallbackNode", false, false),
                new Hop("CallbackState", "System.Threading.CancellationTokenSource+Linked1CancellationTokenSource", false, false),
            ]
        );

        text.ShouldBe(
            "static Contoso.Tokens.Root (CancellationTokenSource) → _registrations → Callbacks → Next ×3 → CallbackState → CancellationTokenSource+Linked1CancellationTokenSource"
        );
    }

    [Fact]
    public void A_root_that_is_the_object_itself_is_never_an_empty_path()
    {
        PathFormatter.Format("strong GC handle", [new Hop("", "Contoso.Session", false, false)]).ShouldBe("strong GC handle (Session)");
        PathFormatter.Format("finalizer queue", []).ShouldBe("finalizer queue");
    }

    [Theory]
    [InlineData("Contoso.Trading.Pricing.LeakyPriceSubscriber", 0)]
    [InlineData("Contoso.Trading.Pricing.Quote[]", 0)]
    [InlineData("System.EventHandler<Contoso.Trading.Pricing.Quote>", 1)]
    [InlineData("System.Collections.Generic.Dictionary<System.String, Contoso.Trading.Pricing.Quote>+Entry[]", 1)]
    [InlineData("System.Byte[]", 2)]
    [InlineData("System.Threading.CancellationTokenSource+CallbackNode", 2)]
    [InlineData("Microsoft.Extensions.Caching.Memory.CacheEntry", 2)]
    // The test runners' own objects (the test platform's Newtonsoft.Json contract cache grows while results are reported).
    [InlineData("Newtonsoft.Json.Serialization.JsonProperty", 2)]
    [InlineData("Xunit.Sdk.TestResultMessage", 2)]
    [InlineData("NUnit.Framework.Internal.TestResult", 2)]
    [InlineData("System.Collections.Generic.List<Newtonsoft.Json.Serialization.JsonProperty>", 2)]
    public void Application_types_rank_before_framework_types(string typeName, int rank) => TypeNames.Ownership(typeName).ShouldBe(rank);

    [Theory]
    [InlineData("System.Collections.Generic.List<Contoso.Quote>", "List<Quote>")]
    [InlineData("System.Collections.Generic.Dictionary<System.String, System.Func<System.Int32>>+Entry[]", "Dictionary<String, Func<Int32>>+Entry[]")]
    [InlineData("Contoso.Outer+<>c__DisplayClass3_0", "Outer+<>c__DisplayClass3_0")]
    [InlineData("Quote", "Quote")]
    public void Short_names_drop_namespaces(string full, string expected) => TypeNames.Short(full).ShouldBe(expected);

    [Theory]
    [InlineData("<Items>k__BackingField", "Items")]
    [InlineData("_items", "_items")]
    public void Auto_property_backing_fields_read_as_the_property(string field, string expected) => TypeNames.Field(field).ShouldBe(expected);
}

/// <summary>Path groups that gained instances explain the growth; a legitimate cache of the same type does not.</summary>
public class GrowingGroupsTests
{
    private static RetentionPathFinder.ShapeGroup Group(string key, long count) => new(key, count, count * 24, -1, 0);

    [Fact]
    public void The_group_that_grew_comes_first_even_when_another_is_larger()
    {
        var before = new[] { Group("cache", 1000), Group("event", 3) };
        var after = new[] { Group("cache", 1000), Group("event", 53) };

        var groups = HeapAnalyzer.GrowingGroups(before, after, sizeGrowthExplains: false);

        groups.Select(g => (g.Group.Key, g.Before)).ShouldBe([("event", 3L)]);
    }

    [Fact]
    public void Without_growing_groups_the_largest_is_shown_unless_a_size_growth_explains_the_type()
    {
        var same = new[] { Group("a", 5), Group("b", 9) };

        HeapAnalyzer.GrowingGroups(same, same, sizeGrowthExplains: false).Select(g => g.Group.Key).ShouldBe(["b"]);
        HeapAnalyzer.GrowingGroups(same, same, sizeGrowthExplains: true).ShouldBeEmpty();
    }
}
