namespace ModelServer.Host.Rest.Json;

/// <summary>
/// JSON numbers straight to the correctly rounded float, for the common short ones, without a tokenizer. Used by
/// <see cref="FloatTensorFastPath"/>; a number it does not take is left to the general parser.
/// </summary>
internal static class JsonFloatFastParser
{
    // 10^0 … 10^22: every one is exact as a double, which is what makes one multiplication or division correctly rounded.
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// A JSON number (<c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>) as the correctly rounded float, as
    /// Utf8JsonReader.TryGetSingle gives it. Clinger's fast path: a decimal mantissa of at most 2^53 and a power of ten
    /// within 10^±22 are both exact doubles, so one multiplication or division gives the correctly rounded double.
    /// Narrowing that to float is then exact unless the double lies on a midpoint between two floats (the decimal may
    /// lie on either side of it); those, longer mantissas and larger exponents give false.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, ref int pos, out float value)
    {
        value = 0;
        int i = pos;
        bool negative = i < body.Length && body[i] == (byte)'-';
        if (negative)
        {
            i++;
        }

        ulong mantissa = 0;
        int exponent = 0;
        if (i < body.Length && body[i] == (byte)'0')
        {
            i++;
        }
        else if (i < body.Length && IsDigit(body[i]))
        {
            if (!TryAccumulate(body, ref i, ref mantissa, out _))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (i < body.Length && body[i] == (byte)'.')
        {
            i++;
            if (!TryAccumulate(body, ref i, ref mantissa, out int fraction) || fraction == 0)
            {
                return false;
            }

            exponent -= fraction;
        }

        if (i < body.Length && (body[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negativeExponent = i < body.Length && body[i] == (byte)'-';
            if (i < body.Length && (body[i] == (byte)'-' || body[i] == (byte)'+'))
            {
                i++;
            }

            int start = i, written = 0;
            while (i < body.Length && IsDigit(body[i]))
            {
                // Long exponents are left to the general parser.
                if (i - start >= 4)
                {
                    return false;
                }

                written = (written * 10) + (body[i] - '0');
                i++;
            }

            if (i == start)
            {
                return false;
            }

            exponent += negativeExponent ? -written : written;
        }

        pos = i;
        if (mantissa == 0)
        {
            value = negative ? -0f : 0f;
            return true;
        }

        if (mantissa > (1UL << 53) || exponent < -22 || exponent > 22)
        {
            return false;
        }

        double d = exponent >= 0 ? mantissa * PowersOfTen[exponent] : mantissa / PowersOfTen[-exponent];

        // With |exponent| ≤ 22 and mantissa ≤ 2^53, d lies between 1e-22 and 9.1e37: a normal float's range, where a
        // float midpoint is a double whose 29 low significand bits are 1 followed by 28 zeros.
        if ((BitConverter.DoubleToUInt64Bits(d) & 0x1FFF_FFFFUL) == 0x1000_0000UL)
        {
            return false;
        }

        value = negative ? -(float)d : (float)d;
        return true;
    }

    /// <summary>Digits into the mantissa; false once it could overflow (over 18 significant digits).</summary>
    private static bool TryAccumulate(ReadOnlySpan<byte> body, ref int i, ref ulong mantissa, out int digits)
    {
        digits = 0;
        while (i < body.Length && IsDigit(body[i]))
        {
            if (mantissa >= 100_000_000_000_000_000UL)
            {
                return false;
            }

            mantissa = (mantissa * 10) + (ulong)(body[i] - '0');
            i++;
            digits++;
        }

        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
