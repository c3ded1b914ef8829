using Shouldly;
using Xunit;

namespace LeakGuard.Tool.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("1m30s", 90)]
    [InlineData("00:00:45", 45)]
    public void Durations(string text, double seconds)
    {
        Units.TryParseDuration(text, out var duration, out _).ShouldBeTrue();
        duration.TotalSeconds.ShouldBe(seconds);
    }

    [Theory]
    [InlineData("10MB/h", 10.0 * 1024 * 1024)]
    [InlineData("512KB/min", 512.0 * 1024 * 60)]
    [InlineData("1GB/d", 1024.0 * 1024 * 1024 / 24)]
    [InlineData("0B/h", 0)]
    [InlineData("100B/s", 360000)]
    public void Size_rates(string text, double perHour)
    {
        Units.TryParseRate(text, isSize: true, out var value, out _).ShouldBeTrue();
        value.ShouldBe(perHour, 1e-6);
    }

    [Theory]
    [InlineData("10", false)]
    [InlineData("10MB", false)]
    [InlineData("MB/h", false)]
    [InlineData("5/h", false)]
    public void Bad_size_rates(string text, bool ok) => Units.TryParseRate(text, isSize: true, out _, out _).ShouldBe(ok);

    [Fact]
    public void Count_rates()
    {
        Units.TryParseRate("5/min", isSize: false, out var perHour, out _).ShouldBeTrue();
        perHour.ShouldBe(300);
        Units.TryParseRate("5MB/min", isSize: false, out _, out _).ShouldBeFalse();
    }
}
