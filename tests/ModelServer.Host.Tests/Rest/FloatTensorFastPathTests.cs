using System.Globalization;
using System.Text;
using ModelServer.Host.Rest.Json;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Host.Tests.Rest;

/// <summary>
/// <see cref="FloatTensorFastPath"/> side by side with the general parser (<see cref="PredictJsonReader.ParseGeneral"/>):
/// where the fast path takes a body, the general parser accepts it too and builds the same tensor, bit for bit; every
/// body the general parser refuses, the fast path leaves to it; and the bodies Keras clients send do take the fast path.
/// </summary>
public sealed class FloatTensorFastPathTests
{
    private static readonly ModelSignature FloatImage = Signature(TensorDataType.Float);

    public static TheoryData<string> NumberFormats => ["R", "G9", "G6", "F3", "F8", "E3", "E9", "0.###############"];

    [Theory]
    [MemberData(nameof(NumberFormats))]
    public void RandomImagesTakeTheFastPathAndMatchTheGeneralParser(string format)
    {
        var random = new Random(format.GetHashCode(StringComparison.Ordinal));
        for (int round = 0; round < 20; round++)
        {
            int rows = random.Next(1, 4), height = random.Next(1, 9), width = random.Next(1, 9), channels = random.Next(1, 4);
            int form = random.Next(3);
            var json = new StringBuilder(form switch
            {
                0 => "{\"instances\": ",
                1 => "{\"signature_name\":\"serving_default\" ,\n\"inputs\":",
                _ => "{\"inputs\": { \"input\" :",
            });
            AppendNest(json, random, [rows, height, width, channels], format);
            json.Append(form == 2 ? "}}" : random.Next(2) == 0 ? "}" : " }\n");

            var (fast, general) = ParseBoth(json.ToString());
            Assert.NotNull(fast);
            AssertSame(general, fast);
            Assert.Equal<long>([rows, height, width, channels], fast.Inputs["input"].ShapeArray);
        }
    }

    [Fact]
    public void NumbersParseToTheCorrectlyRoundedFloat()
    {
        // Random bit patterns over the whole float range and random decimals of 1-19 digits: both parsers must give
        // float.Parse's correctly rounded value, bit for bit; the fast path may leave a number to the general parser.
        var random = new Random(7);
        var texts = new List<string>();
        for (int i = 0; i < 20_000; i++)
        {
            float f = BitConverter.Int32BitsToSingle(random.Next());
            if (float.IsFinite(f))
            {
                texts.Add(f.ToString(i % 2 == 0 ? "R" : "E8", CultureInfo.InvariantCulture));
            }

            var digits = new string([.. Enumerable.Range(0, random.Next(1, 20)).Select(_ => (char)('0' + random.Next(10)))]).TrimStart('0');
            digits = digits.Length == 0 ? "0" : digits;
            int point = random.Next(digits.Length + 1);
            string text = point == digits.Length ? digits : (point == 0 ? "0" : digits[..point]) + "." + digits[point..];
            texts.Add((random.Next(2) == 0 ? "-" : string.Empty) + text + (random.Next(3) == 0 ? "e" + random.Next(-30, 30) : string.Empty));
        }

        texts.AddRange(["0", "-0", "0.0", "-0.0", "0e5", "1", "1.5", "0.1", "0.5019608", "1E-3", "1e+3", "3.4028235e38", "1.17549435e-38", "9007199254740993"]);
        var (fast, general) = ParseBoth("{\"instances\": [" + string.Join(", ", texts) + "]}");
        if (fast is not null)
        {
            AssertSame(general, fast);
        }

        int taken = 0;
        foreach (var text in texts)
        {
            var (one, reference) = ParseBoth("{\"instances\": [" + text + "]}");
            // Bit for bit, so -0 and 0 differ: the general parser reads floats through the same number parser first.
            Assert.True(
                BitConverter.SingleToInt32Bits(float.Parse(text, CultureInfo.InvariantCulture)) == BitConverter.SingleToInt32Bits(reference.Inputs["input"].AsSpan<float>()[0]),
                text);
            if (one is not null)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(reference.Inputs["input"].AsSpan<float>()[0]), BitConverter.SingleToInt32Bits(one.Inputs["input"].AsSpan<float>()[0]));
                taken++;
            }
        }

        // Most of them (the rest: long mantissas, large exponents, float midpoints) take the fast path.
        Assert.True(taken > texts.Count / 2, $"{taken} of {texts.Count}");
    }

    [Theory]
    [InlineData("{\"instances\": [1, 2,]}")]
    [InlineData("{\"instances\": [1,,2]}")]
    [InlineData("{\"instances\": [01]}")]
    [InlineData("{\"instances\": [1.]}")]
    [InlineData("{\"instances\": [.5]}")]
    [InlineData("{\"instances\": [1e]}")]
    [InlineData("{\"instances\": [+1]}")]
    [InlineData("{\"instances\": [1x]}")]
    [InlineData("{\"instances\": [-]}")]
    [InlineData("{\"instances\": [1, 2] x}")]
    [InlineData("{\"instances\": [1, 2]} {")]
    [InlineData("{\"instances\": [1, 2]")]
    [InlineData("{\"instances\": [1, 2}")]
    [InlineData("{\"instances\": [[1, 2], [3]]}")]
    [InlineData("{\"instances\": [[1, 2], 3]}")]
    [InlineData("{\"instances\": [1, [2]]}")]
    [InlineData("{\"instances\": [[[1], [2]], [3, 4]]}")]
    [InlineData("{\"instances\": []}")]
    [InlineData("{\"instances\": [[]]}")]
    [InlineData("{\"instances\": 1}")]
    [InlineData("{\"inputs\": [1], \"instances\": [1]}")]
    [InlineData("{\"instances\": [1], \"instances\": [2]}")]
    [InlineData("{\"instances\": [\"1\"]}")]
    [InlineData("{\"instances\": [NaN]}")]
    [InlineData("{\"instances\": [1e39]}")]
    [InlineData("{\"instances\": [-1e39]}")]
    [InlineData("{\"instances\": [1e-50]}")]
    [InlineData("{\"instances\": [123456789012345678901234]}")]
    [InlineData("{\"instances\": [true]}")]
    [InlineData("{\"instances\": [{\"b64\": \"AAAA\"}]}")]
    [InlineData("{\"instances\": [{\"input\": [1]}]}")]
    [InlineData("{\"inputs\": {\"input\": [1]}}")]
    [InlineData("{\"inputs\": {\"other\": [1]}}")]
    [InlineData("{\"inputs\": {\"input\": [1], \"other\": [2]}}")]
    [InlineData("{\"inputs\": {\"input\": [1]}")]
    [InlineData("{\"inputs\": {\"input\": 1}}")]
    [InlineData("{\"inputs\": {\"b64\": \"AAAA\"}}")]
    [InlineData("{\"inputs\": {}}")]
    [InlineData("{\"signature_name\": 5, \"instances\": [1]}")]
    [InlineData("{\"signature_name\": \"a\\\"b\", \"instances\": [1]}")]
    [InlineData("{\"signature_name\": \"caf\u00e9\", \"instances\": [1]}")]
    [InlineData("{\"extra\": 1, \"instances\": [1]}")]
    [InlineData("{\"instan\\u0063es\": [1]}")]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("")]
    [InlineData("{\"instances\": [1, 2], }")]
    [InlineData("{\"instances\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}")]
    public void BodiesOffThePathAreLeftToTheGeneralParser(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        using var fast = FloatTensorFastPath.TryParse(bytes, FloatImage, long.MaxValue);
        ParsedPredictRequest? general = null;
        try
        {
            general = PredictJsonReader.ParseGeneral(bytes, FloatImage, long.MaxValue);
        }
        catch (ServingException)
        {
            Assert.Null(fast);
            return;
        }

        using (general)
        {
            if (fast is not null)
            {
                AssertSame(general, fast);
            }
        }
    }

    [Fact]
    public void OtherInputTypesAndSignaturesAreLeftToTheGeneralParser()
    {
        var body = "{\"instances\": [1, 2]}"u8.ToArray();
        Assert.Null(FloatTensorFastPath.TryParse(body, Signature(TensorDataType.Double), long.MaxValue));
        Assert.Null(FloatTensorFastPath.TryParse(body, Signature(TensorDataType.Int32), long.MaxValue));
        var two = new ModelSignature(
            ModelSignature.DefaultName,
            ModelSignature.PredictMethod,
            [new TensorSpec("a", TensorDataType.Float, [-1]), new TensorSpec("b", TensorDataType.Float, [-1])],
            [new TensorSpec("y", TensorDataType.Float, [-1])]);
        Assert.Null(FloatTensorFastPath.TryParse(body, two, long.MaxValue));
    }

    [Fact]
    public void ShortNumbersGrowTheBufferAndStillMatch()
    {
        // Two bytes a number, where the buffer starts at one float per 8 bytes of body: it has to grow twice.
        var values = Enumerable.Range(0, 10_000).Select(i => (i % 10).ToString(CultureInfo.InvariantCulture));
        var (fast, general) = ParseBoth("{\"instances\":[" + string.Join(",", values) + "]}");
        Assert.NotNull(fast);
        Assert.Equal<long>([10_000], fast.Inputs["input"].ShapeArray);
        AssertSame(general, fast);
    }

    [Fact]
    public void OverTheElementLimitIsLeftToTheGeneralParserWhichNamesIt()
    {
        var body = "{\"instances\": [[1, 2, 3], [4, 5, 6]]}"u8.ToArray();
        Assert.Null(FloatTensorFastPath.TryParse(body, FloatImage, 5));
        using var exact = FloatTensorFastPath.TryParse(body, FloatImage, 6);
        Assert.NotNull(exact);
        var error = Assert.Throws<ServingException>(() => PredictJsonReader.Parse(body, FloatImage, 5));
        Assert.Contains("MaxTensorElements", error.Message, StringComparison.Ordinal);
    }

    private static (ParsedPredictRequest? Fast, ParsedPredictRequest General) ParseBoth(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        return (FloatTensorFastPath.TryParse(bytes, FloatImage, long.MaxValue), PredictJsonReader.ParseGeneral(bytes, FloatImage, long.MaxValue));
    }

    private static void AssertSame(ParsedPredictRequest expected, ParsedPredictRequest actual)
    {
        using (expected)
        using (actual)
        {
            Assert.Equal(expected.SignatureName, actual.SignatureName);
            Assert.Equal(expected.RowFormat, actual.RowFormat);
            var want = expected.Inputs["input"];
            var got = actual.Inputs["input"];
            Assert.Equal(want.ShapeArray, got.ShapeArray);
            Assert.Equal(want.AsSpan<float>().Length, got.AsSpan<float>().Length);
            Assert.True(want.AsSpan<float>().SequenceEqual(got.AsSpan<float>()) && BitsEqual(want.AsSpan<float>(), got.AsSpan<float>()));
        }
    }

    private static bool BitsEqual(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(a[i]) != BitConverter.SingleToInt32Bits(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static void AppendNest(StringBuilder json, Random random, ReadOnlySpan<int> dims, string format)
    {
        json.Append('[');
        for (int i = 0; i < dims[0]; i++)
        {
            json.Append(i == 0 ? string.Empty : random.Next(3) == 0 ? ", " : ",");
            if (dims.Length > 1)
            {
                AppendNest(json, random, dims[1..], format);
            }
            else
            {
                float value = random.Next(4) switch
                {
                    0 => random.Next(256) / 255f,
                    1 => (float)((random.NextDouble() * 2) - 1),
                    2 => (float)(random.NextDouble() * 1000),
                    _ => 0f,
                };
                json.Append(value.ToString(format, CultureInfo.InvariantCulture));
            }
        }

        json.Append(random.Next(4) == 0 ? " ]" : "]");
    }

    private static ModelSignature Signature(TensorDataType type) => new(
        ModelSignature.DefaultName,
        ModelSignature.PredictMethod,
        [new TensorSpec("input", type, [-1, -1, -1, -1])],
        [new TensorSpec("probabilities", TensorDataType.Float, [-1, 3])]);
}
