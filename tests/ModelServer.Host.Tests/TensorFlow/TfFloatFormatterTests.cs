using ModelServer.Host.Rest;

namespace ModelServer.Host.Tests.TensorFlow;

public sealed class TfFloatFormatterTests
{
    [Theory]
    [InlineData(9000000f, "9e+06")]
    [InlineData(999999f, "999999.0")]
    [InlineData(0.00003f, "3e-05")]
    [InlineData(555557.5f, "555557.5")]
    [InlineData(8f, "8.0")]
    [InlineData(0f, "0.0")]
    [InlineData(-0f, "-0.0")]
    [InlineData(2.5f, "2.5")]
    [InlineData(0.1f, "0.1")]
    [InlineData(1e-7f, "1e-07")]
    [InlineData(123456789f, "123456792.0")]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void FloatsMatchCPrintfG(float value, string expected)
        => Assert.Equal(expected, TfFloatFormatter.ToString(value, singlePrecision: true));

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.33333333333333331")]
    [InlineData(1e300, "1e+300")]
    public void DoublesUseSeventeenDigitsWhenSixDoNotRoundTrip(double value, string expected)
        => Assert.Equal(expected, TfFloatFormatter.ToString(value, singlePrecision: false));
}
