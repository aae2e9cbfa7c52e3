using System.Text.Json;
using ModelServer.Runtime.Batching;

namespace ModelServer.Runtime.Configuration;

/// <summary>Reads and checks the "batching" section of a model folder's <c>config.json</c>.</summary>
public static class BatchingConfigReader
{
    /// <summary>
    /// The settings a model's versions batch with: its section over the server-wide ones, the server-wide ones when
    /// it has none and <c>--enable_batching</c> is on, else null (requests run directly). Throws
    /// <see cref="InvalidDataException"/> naming the file and the problem.
    /// </summary>
    public static BatchingOptions? Resolve(string modelBasePath, BatchingServerOptions server)
    {
        var file = Path.Combine(modelBasePath, ModelConfigReader.FileName);
        BatchingConfig? section = null;
        if (File.Exists(file))
        {
            try
            {
                section = JsonSerializer.Deserialize(File.ReadAllBytes(file), ModelConfigJsonContext.Default.ModelConfigFile)?.Batching;
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{file}: {ex.Message}", ex);
            }
        }

        var options = section is null ? (server.EnableBatching ? server.Parameters : null) : section.ToOptions(server.Parameters);
        Validate(options, file);
        return options;
    }

    /// <summary>
    /// Checks a section on its own, as the config reader does at load: over TF Serving's defaults, except that an unset
    /// max_batch_size is taken from allowed_batch_sizes (the server-wide value it will meet is checked at first use).
    /// </summary>
    public static void Validate(BatchingConfig? section, string file)
    {
        var defaults = new BatchingOptions();
        if (section is { MaxBatchSize: null, AllowedBatchSizes: [.., var last] })
        {
            defaults = defaults with { MaxBatchSize = last };
        }

        Validate(section?.ToOptions(defaults), file);
    }

    private static void Validate(BatchingOptions? options, string file)
    {
        if (options?.Validate() is { } problem)
        {
            throw new InvalidDataException($"{file}: batching: {problem}");
        }
    }
}
