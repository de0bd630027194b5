using Cancellable.Jobs.Storage;

namespace Cancellable.Jobs.Tests.Storage;

public sealed class JobKeyTests
{
    [Fact]
    public void From_LowercaseHexId_KeepsItAsNumbersThatFormatBack()
    {
        var id = Guid.NewGuid().ToString("N");

        var key = JobKey.From(id);

        Assert.True(key.IsHex);
        Assert.Equal(id, JobKey.FormatHex(key.High, key.Low));
        Assert.Equal(Convert.ToUInt64(id[..16], 16), key.High);
        Assert.Equal(Convert.ToUInt64(id[16..], 16), key.Low);
    }

    [Fact]
    public void FormatHex_Extremes_PadsAndUsesLowercase()
    {
        Assert.Equal(new string('0', 32), JobKey.FormatHex(0, 0));
        Assert.Equal(new string('f', 32), JobKey.FormatHex(ulong.MaxValue, ulong.MaxValue));
        Assert.Equal("0123456789abcdeffedcba9876543210", JobKey.FormatHex(0x0123456789abcdef, 0xfedcba9876543210));
    }

    [Theory]
    [InlineData("0123456789ABCDEF0123456789abcdef")] // uppercase would not format back to the same id
    [InlineData("0123456789abcdef0123456789abcde")] // 31 digits
    [InlineData("0123456789abcdef0123456789abcdef0")] // 33 digits
    [InlineData("0123456789abcdeg0123456789abcdef")]
    [InlineData("0123456789abcdef0123456789abcde\u00b0")] // '°' is '0' plus 0x80
    [InlineData("0123456789abcdef0123456789abcde\u0161")] // 'š' is 'a' plus 0x100
    [InlineData("job-0001")]
    [InlineData("")]
    public void From_OtherId_KeepsTheText(string id)
    {
        var key = JobKey.From(id);

        Assert.False(key.IsHex);
        Assert.Equal(id, key.Text);
        Assert.True(key.Matches(id));
        Assert.False(key.Matches(id + "x"));
    }

    [Fact]
    public void FromHex_SameIdAsFrom_HasTheSameHashAndMatchesTheId()
    {
        var id = Guid.NewGuid().ToString("N");
        var fromText = JobKey.From(id);

        var fromNumbers = JobKey.FromHex(fromText.High, fromText.Low);

        Assert.Equal(fromText.Hash, fromNumbers.Hash);
        Assert.True(fromNumbers.Matches(id));
        Assert.False(fromNumbers.Matches(Guid.NewGuid().ToString("N")));
        Assert.False(fromNumbers.Matches(id.ToUpperInvariant()));
    }
}
