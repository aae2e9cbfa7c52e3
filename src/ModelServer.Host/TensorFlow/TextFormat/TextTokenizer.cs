using System.Text;

namespace ModelServer.Host.TensorFlow.TextFormat;

/// <summary>Splits protobuf text format into tokens: identifiers, numbers, quoted strings (adjacent ones joined later), symbols; <c>#</c> comments skipped.</summary>
internal sealed class TextTokenizer
{
    private readonly string _text;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    public TextTokenizer(string text)
    {
        _text = text;
        Current = Next();
    }

    public TextToken Current { get; private set; }

    public TextToken Advance()
    {
        var token = Current;
        Current = Next();
        return token;
    }

    private TextToken Next()
    {
        SkipWhitespaceAndComments();
        if (_position >= _text.Length)
        {
            return new TextToken(TextTokenKind.End, string.Empty, _line, _position - _lineStart + 1);
        }

        var line = _line;
        var column = _position - _lineStart + 1;
        var c = _text[_position];
        if (c is '"' or '\'')
        {
            return new TextToken(TextTokenKind.String, ReadString(c, line, column), line, column);
        }

        if (char.IsAsciiDigit(c) || ((c is '-' or '.' or '+') && _position + 1 < _text.Length && (char.IsAsciiDigit(_text[_position + 1]) || _text[_position + 1] == '.' || char.IsAsciiLetter(_text[_position + 1]))))
        {
            var start = _position++;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '.' or '_' or '+' or '-') && !(_text[_position] is '+' or '-' && !(_text[_position - 1] is 'e' or 'E')))
            {
                _position++;
            }

            return new TextToken(TextTokenKind.Number, _text[start.._position], line, column);
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            var start = _position;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '_' or '.' or '/'))
            {
                _position++;
            }

            return new TextToken(TextTokenKind.Identifier, _text[start.._position], line, column);
        }

        _position++;
        return new TextToken(TextTokenKind.Symbol, c.ToString(), line, column);
    }

    private void SkipWhitespaceAndComments()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '#')
            {
                while (_position < _text.Length && _text[_position] != '\n')
                {
                    _position++;
                }
            }
            else if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else
            {
                return;
            }
        }
    }

    private string ReadString(char quote, int line, int column)
    {
        var builder = new StringBuilder();
        _position++;
        while (true)
        {
            if (_position >= _text.Length || _text[_position] == '\n')
            {
                throw new FormatException($"{line}:{column}: unterminated string");
            }

            var c = _text[_position++];
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            var escape = _position < _text.Length ? _text[_position++] : '\\';
            switch (escape)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '\\': builder.Append('\\'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                default:
                    throw new FormatException($"{line}:{column}: unsupported escape \\{escape} in string");
            }
        }
    }
}
