using System.Globalization;

namespace ModelServer.Host.Rest;

/// <summary>
/// TF Serving's float text, byte for byte: C <c>%g</c> (6 significant digits), or <c>%.9g</c> (float) /
/// <c>%.17g</c> (double) when 6 digits do not round-trip; <c>.0</c> appended to integral text; bare
/// <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>. .NET's own round-trip text differs (<c>9000000</c>, <c>1E-05</c>).
/// </summary>
internal static class TfFloatFormatter
{
    public static int Format(double value, bool singlePrecision, Span<byte> destination)
    {
        if (double.IsNaN(value))
        {
            return Ascii("NaN", destination);
        }

        if (double.IsInfinity(value))
        {
            return Ascii(value > 0 ? "Infinity" : "-Infinity", destination);
        }

        Span<char> text = stackalloc char[40];
        var length = FormatG(value, 6, text);
        if (!RoundTrips(text[..length], value, singlePrecision))
        {
            length = FormatG(value, singlePrecision ? 9 : 17, text);
        }

        if (text[..length].IndexOfAny('.', 'e') < 0)
        {
            text[length++] = '.';
            text[length++] = '0';
        }

        for (var i = 0; i < length; i++)
        {
            destination[i] = (byte)text[i];
        }

        return length;
    }

    public static string ToString(double value, bool singlePrecision)
    {
        Span<byte> buffer = stackalloc byte[40];
        var length = Format(value, singlePrecision, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }

    private static bool RoundTrips(ReadOnlySpan<char> text, double value, bool singlePrecision)
        => singlePrecision
            ? float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) == (float)value
            : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) == value;

    /// <summary>C's <c>%.{precision}g</c>.</summary>
    private static int FormatG(double value, int precision, Span<char> output)
    {
        if (value == 0)
        {
            return Copy(double.IsNegative(value) ? "-0" : "0", output);
        }

        Span<char> scientific = stackalloc char[40];
        value.TryFormat(scientific, out var written, "E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var e = scientific[..written].IndexOf('E');
        var exponent = int.Parse(scientific[(e + 1)..written], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= precision)
        {
            var mantissa = TrimZeros(scientific[..e]);
            var length = Copy(mantissa, output);
            output[length++] = 'e';
            output[length++] = exponent < 0 ? '-' : '+';
            var magnitude = Math.Abs(exponent);
            if (magnitude < 10)
            {
                output[length++] = '0';
            }

            magnitude.TryFormat(output[length..], out var digits, default, CultureInfo.InvariantCulture);
            return length + digits;
        }

        Span<char> fixedText = stackalloc char[40];
        value.TryFormat(fixedText, out var fixedLength, "F" + (precision - 1 - exponent).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return Copy(TrimZeros(fixedText[..fixedLength]), output);
    }

    private static ReadOnlySpan<char> TrimZeros(ReadOnlySpan<char> number)
    {
        if (number.IndexOf('.') < 0)
        {
            return number;
        }

        number = number.TrimEnd('0');
        return number.TrimEnd('.');
    }

    private static int Copy(ReadOnlySpan<char> source, Span<char> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static int Ascii(string text, Span<byte> destination)
    {
        for (var i = 0; i < text.Length; i++)
        {
            destination[i] = (byte)text[i];
        }

        return text.Length;
    }
}
