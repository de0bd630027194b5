using Cancellable.Jobs.Tests.Support;

namespace Cancellable.Jobs.Tests.Jobs;

public sealed class JobStepTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-0.001)]
    [InlineData(1.001)]
    public void ReportProgress_FractionOutsideUnitInterval_Throws(double fraction)
    {
        var step = NewContext().Step("load");

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => step.ReportProgress(fraction));

        Assert.Equal("fraction", ex.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(1.0)]
    public void ReportProgress_FractionInUnitInterval_IsKept(double fraction)
    {
        var context = NewContext();

        context.Step("load").ReportProgress(fraction, "loading");

        var step = Assert.Single(Progress(context).Steps);
        Assert.Equal(fraction, step.Fraction);
        Assert.Equal("loading", step.CurrentStep);
    }

    [Fact]
    public void ReportProgress_Counts_SetsFractionAndCounts()
    {
        var context = NewContext();

        context.Step("load").ReportProgress(3, 12);

        var step = Assert.Single(Progress(context).Steps);
        Assert.Equal((0.25, 3L, 12L), (step.Fraction, step.Processed, step.Total));
    }

    [Fact]
    public void ReportProgress_ZeroTotal_CountsAsDone()
    {
        var context = NewContext();

        context.Step("load").ReportProgress(0, 0);

        Assert.Equal(1, Assert.Single(Progress(context).Steps).Fraction);
    }

    [Theory]
    [InlineData(11, 10)]
    [InlineData(-1, 10)]
    [InlineData(0, -1)]
    public void ReportProgress_CountsOutOfRange_Throws(long processed, long total)
    {
        var step = NewContext().Step("load");

        Assert.Throws<ArgumentOutOfRangeException>(() => step.ReportProgress(processed, total));
    }

    [Fact]
    public void ReportProgress_FractionAfterCounts_ClearsCounts()
    {
        var context = NewContext();
        var step = context.Step("load");
        step.ReportProgress(5, 10);

        step.ReportProgress(0.9);

        var progress = Assert.Single(Progress(context).Steps);
        Assert.Equal(0.9, progress.Fraction);
        Assert.Null(progress.Processed);
        Assert.Null(progress.Total);
    }

    [Fact]
    public void ReportProgress_NullCurrentStep_KeepsPreviousText()
    {
        var context = NewContext();
        var step = context.Step("load");
        step.ReportProgress(0.1, "batch 1");

        step.ReportProgress(0.2);

        Assert.Equal("batch 1", Assert.Single(Progress(context).Steps).CurrentStep);
    }

    [Fact]
    public void Step_WeightsOneAndThree_CombineIntoWeightedMean()
    {
        var context = NewContext();
        var sync = context.Step("sync", weight: 1);
        var process = context.Step("process", weight: 3);

        sync.ReportProgress(1.0);
        process.ReportProgress(0.5);

        // (1 × 1.0 + 3 × 0.5) / 4
        Assert.Equal(0.625, Progress(context).Fraction, 10);
    }

    [Fact]
    public void Step_Nested_ParentTakesWeightedMeanOfChildren()
    {
        var context = NewContext();
        context.Step("sync", weight: 1).Complete();
        var process = context.Step("process", weight: 3);
        process.Step("read", weight: 1).ReportProgress(1.0);
        process.Step("write", weight: 3).ReportProgress(2, 6);

        var progress = Progress(context);

        // process = (1 × 1 + 3 × 1/3) / 4 = 0.5; job = (1 × 1 + 3 × 0.5) / 4 = 0.625
        Assert.Equal(0.5, progress.Steps[1].Fraction, 10);
        Assert.Equal(0.625, progress.Fraction, 10);
        Assert.Equal(["read", "write"], progress.Steps[1].Steps.Select(s => s.Name));
        Assert.Equal([1.0, 3.0], progress.Steps[1].Steps.Select(s => s.Weight));
    }

    [Fact]
    public void Step_StepsDeclaredUpFront_FractionNeverMovesBack()
    {
        var context = NewContext();
        var steps = new[] { context.Step("a", 2), context.Step("b", 1), context.Step("c", 1) };
        var last = 0.0;

        foreach (var step in steps)
        {
            for (var i = 1; i <= 4; i++)
            {
                step.ReportProgress(i, 4);
                var fraction = Progress(context).Fraction;
                Assert.True(fraction >= last, $"{fraction} < {last}");
                last = fraction;
            }
        }

        Assert.Equal(1, last, 10);
    }

    [Fact]
    public void Step_SameName_ReturnsSameStepWithFirstWeight()
    {
        var context = NewContext();
        var first = context.Step("sync", weight: 2);

        var again = context.Step("sync", weight: 5);

        Assert.Same(first, again);
        Assert.Equal(2, again.Weight);
        Assert.Single(Progress(context).Steps);
    }

    [Fact]
    public void Step_SameNameUnderDifferentParents_AreDifferentSteps()
    {
        var context = NewContext();

        var a = context.Step("a").Step("x");
        var b = context.Step("b").Step("x");

        Assert.NotSame(a, b);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Step_WeightNotPositiveAndFinite_Throws(double weight)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => NewContext().Step("a", weight));

        Assert.Equal("weight", ex.ParamName);
    }

    [Fact]
    public void Step_EmptyName_Throws()
    {
        Assert.Throws<ArgumentException>(() => NewContext().Step(string.Empty));
    }

    [Fact]
    public void Complete_SetsFractionToOne()
    {
        var context = NewContext();
        var step = context.Step("a");
        step.ReportProgress(0.3);

        step.Complete();

        Assert.Equal(1, Progress(context).Fraction);
    }

    private static JobContext NewContext() => JobContextTests.NewContext();

    private static JobProgress Progress(JobContext context) => JobContextTests.Flush(context).Progress;
}
