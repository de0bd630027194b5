using RemovalWorkflow.ConsoleApp;

namespace RemovalWorkflow.Tests;

public sealed class ConsoleOptionsTests
{
    [Fact]
    public void TryParse_NoArguments_GivesTheDefaults()
    {
        Assert.True(ConsoleOptions.TryParse([], out var options, out _));

        Assert.Equal(new ConsoleOptions(), options);
        Assert.Equal((40, 0.5, 5, 300, false), (options.GroupSize, options.InactiveShare, options.BatchSize, options.DelayMs, options.DryRun));
    }

    [Fact]
    public void TryParse_EveryOptionInBothForms_SetsThem()
    {
        Assert.True(ConsoleOptions.TryParse(["--group-size", "12", "--inactive-share=0.25", "--batch-size=3", "--delay-ms", "0", "--dry-run"], out var options, out var error));

        Assert.Null(error);
        Assert.Equal(new ConsoleOptions { GroupSize = 12, InactiveShare = 0.25, BatchSize = 3, DelayMs = 0, DryRun = true }, options);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void TryParse_Help_AsksForHelp(string flag)
    {
        Assert.True(ConsoleOptions.TryParse(["--batch-size", "2", flag], out var options, out _));

        Assert.True(options.ShowHelp);
    }

    [Theory]
    [InlineData("Option '--group-size' must be a whole number from 1 to 100000, not '0'.", "--group-size", "0")]
    [InlineData("Option '--group-size' needs a value.", "--group-size")]
    [InlineData("Option '--batch-size' must be a whole number from 1 to 1000, not 'five'.", "--batch-size", "five")]
    [InlineData("Option '--delay-ms' must be a whole number from 0 to 2147483647, not '-1'.", "--delay-ms=-1")]
    [InlineData("Option '--inactive-share' must be a number from 0 to 1, such as 0.5, not '1.5'.", "--inactive-share", "1.5")]
    [InlineData("Option '--dry-run' takes no value.", "--dry-run=yes")]
    [InlineData("Unknown option '--group'.", "--group", "4")]
    [InlineData("Unknown option 'extra'.", "extra")]
    public void TryParse_BadArgument_FailsWithAMessageNamingIt(string expected, params string[] args)
    {
        Assert.False(ConsoleOptions.TryParse(args, out var options, out var error));

        Assert.Null(options);
        Assert.Equal(expected, error);
    }
}
