using ModelServer.Trainer.Export;

namespace ModelServer.Trainer.Tests.Export;

public sealed class ParityReportTests
{
    [Fact]
    public void Absolute_differences_count_as_they_are_and_relative_ones_scale_with_the_value()
    {
        float[] expected = [0.5f, 400f, -300f];
        float[] actual = [0.50002f, 400.02f, -300.06f];

        Assert.Equal(0.06, ParityReport.MaxDifference(actual, expected), 3);
        // 0.02 / 400 and 0.06 / 300: both 5e-5 or 2e-4; small values are divided by 1, not by themselves.
        Assert.Equal(2e-4, ParityReport.MaxDifference(actual, expected, relative: true), 6);
        Assert.Equal(2e-5, ParityReport.MaxDifference([0.00002f], [0f], relative: true), 6);
    }

    [Fact]
    public void A_NaN_or_a_length_mismatch_never_passes()
    {
        Assert.Equal(double.PositiveInfinity, ParityReport.MaxDifference([float.NaN], [1f], relative: true));
        Assert.Equal(double.PositiveInfinity, ParityReport.MaxDifference([1f], [1f, 2f]));
        Assert.False(new ParityReport(1, 0, double.PositiveInfinity, 1e-4).Passed);
    }
}
