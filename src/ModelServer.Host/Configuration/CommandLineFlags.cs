using System.Globalization;
using System.Text;

namespace ModelServer.Host.Configuration;

/// <summary>
/// Turns TF Serving style flags (<c>--rest_api_port=8501</c>, <c>--port 8500</c>, bare <c>--enable_batching</c>)
/// into configuration keys under <c>ModelServer:</c> (<c>ModelServer:RestApiPort</c>), so flags, appsettings.json
/// and <c>ModelServer__RestApiPort</c> environment variables set the same options. Unknown flags are refused.
/// </summary>
public static class CommandLineFlags
{
    /// <summary>Flags that take no value; given bare they mean true.</summary>
    private static readonly HashSet<string> BooleanFlags = new(StringComparer.Ordinal)
    {
        "enable_serialization_as_tensor_content",
        "enable_batching",
        "rest_api_enable_cors_support",
        "enable_model_warmup",
    };

    private static readonly HashSet<string> KnownFlags = new(StringComparer.Ordinal)
    {
        "port",
        "rest_api_port",
        "model_repository",
        "model_name",
        "model_base_path",
        "max_request_bytes",
        "max_tensor_elements",
        "max_concurrent_requests",
        "max_queued_requests",
        "max_queue_wait_ms",
        "rest_api_timeout_in_ms",
        "file_system_poll_wait_seconds",
        "model_config_file",
        "model_config_file_poll_wait_seconds",
        "batching_parameters_file",
        "execution_provider",
    };

    /// <summary>Flags whose option lives in a sub-section.</summary>
    private static readonly Dictionary<string, string> SectionFlags = new(StringComparer.Ordinal)
    {
        ["execution_provider"] = "ModelServer:OnnxRuntime:ExecutionProvider",
    };

    /// <summary>Rewrites <paramref name="args"/>; throws <see cref="ArgumentException"/> naming an unknown flag.</summary>
    public static string[] Normalize(IReadOnlyList<string> args)
    {
        var result = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                result.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            string? value = equals < 0 ? null : arg[(equals + 1)..];
            // Host settings and raw configuration keys (--ModelServer:OnnxRuntime:IntraOpNumThreads=2) pass through.
            if (name is "urls" or "environment" or "contentRoot" or "applicationName" || name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsAsciiLetterUpper))
            {
                result.Add(arg);
                continue;
            }

            if (!BooleanFlags.Contains(name) && !KnownFlags.Contains(name))
            {
                throw new ArgumentException($"Unknown flag --{name}. Known flags: {string.Join(", ", KnownFlags.Concat(BooleanFlags).Order().Select(f => "--" + f))}");
            }

            if (value is null)
            {
                if (BooleanFlags.Contains(name) && (i + 1 >= args.Count || !IsBool(args[i + 1])))
                {
                    value = "true";
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new ArgumentException($"Flag --{name} needs a value.");
                }
            }

            var key = SectionFlags.TryGetValue(name, out var mapped) ? mapped : "ModelServer:" + ToPascalCase(name);
            result.Add($"--{key}={value}");
        }

        return result.ToArray();
    }

    private static bool IsBool(string text) => bool.TryParse(text, out _);

    private static string ToPascalCase(string snake)
    {
        var builder = new StringBuilder(snake.Length);
        foreach (var part in snake.Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(char.ToUpper(part[0], CultureInfo.InvariantCulture)).Append(part.AsSpan(1));
        }

        return builder.ToString();
    }
}
