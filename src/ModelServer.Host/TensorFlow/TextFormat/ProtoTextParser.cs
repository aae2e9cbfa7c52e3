using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ModelServer.Host.TensorFlow.TextFormat;

/// <summary>
/// Parses protobuf text format (what TF Serving's <c>--model_config_file</c> and <c>--batching_parameters_file</c>
/// hold) into a message through Google.Protobuf's reflection: nested messages with or without <c>:</c>, repeated
/// fields, maps as <c>key</c>/<c>value</c> entries, enums by name or number, wrapper types (<c>{ value: 1 }</c>),
/// <c>#</c> comments, optional <c>,</c>/<c>;</c> separators. Errors are <see cref="FormatException"/>s that start
/// with <c>line:column</c>. Google.Protobuf for C# ships no text parser, hence this one.
/// </summary>
public static class ProtoTextParser
{
    private const int MaxDepth = 64;

    public static T Parse<T>(string text)
        where T : IMessage<T>, new()
    {
        var message = new T();
        var tokens = new TextTokenizer(text);
        ParseFields(tokens, message, endSymbol: null, depth: 0);
        return message;
    }

    private static void ParseFields(TextTokenizer tokens, IMessage message, string? endSymbol, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException($"{tokens.Current.Where}: messages nested deeper than {MaxDepth}");
        }

        while (true)
        {
            var token = tokens.Current;
            if (token.Kind == TextTokenKind.End)
            {
                if (endSymbol is not null)
                {
                    throw new FormatException($"{token.Where}: expected '{endSymbol}' before the end of the text");
                }

                return;
            }

            if (token.Kind == TextTokenKind.Symbol && token.Text == endSymbol)
            {
                tokens.Advance();
                return;
            }

            if (token.Kind == TextTokenKind.Symbol && token.Text is "," or ";")
            {
                tokens.Advance();
                continue;
            }

            if (token.Kind != TextTokenKind.Identifier)
            {
                throw new FormatException($"{token.Where}: expected a field name, found '{token.Text}'");
            }

            tokens.Advance();
            var field = message.Descriptor.FindFieldByName(token.Text)
                ?? throw new FormatException($"{token.Where}: {message.Descriptor.FullName} has no field named '{token.Text}'");
            ParseField(tokens, message, field, depth);
        }
    }

    private static void ParseField(TextTokenizer tokens, IMessage message, FieldDescriptor field, int depth)
    {
        var hasColon = TrySymbol(tokens, ":");
        if (field.FieldType == FieldType.Message)
        {
            if (field.IsRepeated && TrySymbol(tokens, "["))
            {
                do
                {
                    AddValue(message, field, ParseMessageValue(tokens, field, depth));
                }
                while (TrySymbol(tokens, ","));

                Expect(tokens, "]");
                return;
            }

            AddValue(message, field, ParseMessageValue(tokens, field, depth));
            return;
        }

        if (!hasColon)
        {
            throw new FormatException($"{tokens.Current.Where}: expected ':' after field '{field.Name}'");
        }

        if (field.IsRepeated && TrySymbol(tokens, "["))
        {
            if (!TrySymbol(tokens, "]"))
            {
                do
                {
                    AddValue(message, field, ParseScalar(tokens, field));
                }
                while (TrySymbol(tokens, ","));

                Expect(tokens, "]");
            }

            return;
        }

        AddValue(message, field, ParseScalar(tokens, field));
    }

    private static object ParseMessageValue(TextTokenizer tokens, FieldDescriptor field, int depth)
    {
        var open = tokens.Current;
        var close = open.Text switch
        {
            "{" => "}",
            "<" => ">",
            _ => throw new FormatException($"{open.Where}: expected '{{' to open {field.Name}"),
        };
        tokens.Advance();
        if (field.IsMap)
        {
            return ParseMapEntry(tokens, field, close, depth);
        }

        var nested = field.MessageType.Parser.ParseFrom(ByteString.Empty);
        ParseFields(tokens, nested, close, depth + 1);
        return nested;
    }

    /// <summary>Map entries have no generated type: read <c>key</c> and <c>value</c> straight into a pair.</summary>
    private static KeyValuePair<object, object?> ParseMapEntry(TextTokenizer tokens, FieldDescriptor field, string close, int depth)
    {
        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        object? key = null;
        object? value = null;
        while (!TrySymbol(tokens, close))
        {
            var name = tokens.Advance();
            if (name.Kind == TextTokenKind.End)
            {
                throw new FormatException($"{name.Where}: expected '{close}' before the end of the text");
            }

            if (name.Text is "," or ";")
            {
                continue;
            }

            var target = name.Text == "key" ? keyField : name.Text == "value" ? valueField
                : throw new FormatException($"{name.Where}: a map entry of '{field.Name}' has only key and value, not '{name.Text}'");
            var hasColon = TrySymbol(tokens, ":");
            object parsed;
            if (target.FieldType == FieldType.Message)
            {
                parsed = ParseMessageValue(tokens, target, depth + 1);
            }
            else
            {
                if (!hasColon)
                {
                    throw new FormatException($"{tokens.Current.Where}: expected ':' after '{name.Text}'");
                }

                parsed = ParseScalar(tokens, target);
            }

            if (target == keyField)
            {
                key = parsed;
            }
            else
            {
                value = parsed;
            }
        }

        return new KeyValuePair<object, object?>(key ?? DefaultOf(keyField), value ?? DefaultOf(valueField));
    }

    private static object DefaultOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => string.Empty,
        FieldType.Bool => false,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        FieldType.Double => 0d,
        FieldType.Float => 0f,
        FieldType.Bytes => ByteString.Empty,
        FieldType.Message => field.MessageType.Parser.ParseFrom(ByteString.Empty),
        _ => 0,
    };

    private static void AddValue(IMessage message, FieldDescriptor field, object value)
    {
        if (field.IsMap)
        {
            var (key, entryValue) = (KeyValuePair<object, object?>)value;
            ((IDictionary)field.Accessor.GetValue(message))[key] = entryValue;
            return;
        }

        if (field.FieldType == FieldType.Message && IsWrapper(field.MessageType))
        {
            var inner = (IMessage)value;
            value = inner.Descriptor.FindFieldByNumber(1).Accessor.GetValue(inner);
        }

        if (field.IsRepeated)
        {
            ((IList)field.Accessor.GetValue(message)).Add(value);
        }
        else if (field.FieldType == FieldType.Message && !IsWrapper(field.MessageType) && field.Accessor.GetValue(message) is IMessage existing)
        {
            // A message field given twice merges, as in protobuf's own text parser.
            existing.MergeFrom(((IMessage)value).ToByteString());
        }
        else
        {
            field.Accessor.SetValue(message, value);
        }
    }

    private static bool IsWrapper(MessageDescriptor descriptor)
        => descriptor.File.Package == "google.protobuf" && descriptor.Name.EndsWith("Value", StringComparison.Ordinal) && descriptor.Fields.InFieldNumberOrder().Count == 1;

    private static object ParseScalar(TextTokenizer tokens, FieldDescriptor field)
    {
        var token = tokens.Advance();
        try
        {
            switch (field.FieldType)
            {
                case FieldType.String:
                    return ReadStrings(tokens, token, field);
                case FieldType.Bytes:
                    return ByteString.CopyFromUtf8(ReadStrings(tokens, token, field));
                case FieldType.Bool:
                    return token.Text switch
                    {
                        "true" or "True" or "t" or "1" => true,
                        "false" or "False" or "f" or "0" => false,
                        _ => throw Invalid(token, field),
                    };
                case FieldType.Enum:
                    if (token.Kind == TextTokenKind.Identifier)
                    {
                        return (field.EnumType.FindValueByName(token.Text) ?? throw Invalid(token, field)).Number;
                    }

                    return int.Parse(token.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                case FieldType.Float:
                    return (float)ParseDouble(token, field);
                case FieldType.Double:
                    return ParseDouble(token, field);
                case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                    return int.Parse(Integer(token, field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                    return long.Parse(Integer(token, field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                case FieldType.UInt32 or FieldType.Fixed32:
                    return uint.Parse(Integer(token, field), NumberStyles.None, CultureInfo.InvariantCulture);
                case FieldType.UInt64 or FieldType.Fixed64:
                    return ulong.Parse(Integer(token, field), NumberStyles.None, CultureInfo.InvariantCulture);
                default:
                    throw Invalid(token, field);
            }
        }
        catch (OverflowException)
        {
            throw new FormatException($"{token.Where}: value {token.Text} is out of range for field '{field.Name}'");
        }
        catch (FormatException ex) when (!ex.Message.StartsWith(token.Where, StringComparison.Ordinal))
        {
            throw Invalid(token, field);
        }
    }

    private static string ReadStrings(TextTokenizer tokens, TextToken first, FieldDescriptor field)
    {
        if (first.Kind != TextTokenKind.String)
        {
            throw Invalid(first, field);
        }

        var text = first.Text;
        while (tokens.Current.Kind == TextTokenKind.String)
        {
            text += tokens.Advance().Text;
        }

        return text;
    }

    private static string Integer(TextToken token, FieldDescriptor field)
        => token.Kind == TextTokenKind.Number && !token.Text.Contains('.', StringComparison.Ordinal) ? token.Text : throw Invalid(token, field);

    private static double ParseDouble(TextToken token, FieldDescriptor field)
    {
        var text = token.Text.TrimEnd('f', 'F');
        return text.ToLowerInvariant() switch
        {
            "inf" or "infinity" => double.PositiveInfinity,
            "-inf" or "-infinity" => double.NegativeInfinity,
            "nan" => double.NaN,
            _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(token, field),
        };
    }

    private static FormatException Invalid(TextToken token, FieldDescriptor field)
        => new($"{token.Where}: '{token.Text}' is not a valid value for field '{field.Name}' ({field.FieldType})");

    private static bool TrySymbol(TextTokenizer tokens, string symbol)
    {
        if (tokens.Current.Kind == TextTokenKind.Symbol && tokens.Current.Text == symbol)
        {
            tokens.Advance();
            return true;
        }

        return false;
    }

    private static void Expect(TextTokenizer tokens, string symbol)
    {
        if (!TrySymbol(tokens, symbol))
        {
            throw new FormatException($"{tokens.Current.Where}: expected '{symbol}', found '{tokens.Current.Text}'");
        }
    }
}
