using ModelServer.Host.TensorFlow.TextFormat;
using ModelServer.Runtime.Batching;
using Tensorflow.Serving;

namespace ModelServer.Host.Batching;

/// <summary>Reads <c>--batching_parameters_file</c> and maps TF Serving's proto onto the Runtime's options record.</summary>
public static class BatchingParametersLoader
{
    /// <summary>Largest parameters file read: a handful of fields, never megabytes.</summary>
    private const long MaxFileBytes = 64 * 1024;

    /// <summary>The server-wide batching settings; throws <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static BatchingServerOptions Load(BatchingHostOptions options)
    {
        var parameters = new BatchingOptions();
        if (!string.IsNullOrEmpty(options.BatchingParametersFile))
        {
            var file = options.BatchingParametersFile;
            try
            {
                var info = new FileInfo(file);
                if (!info.Exists)
                {
                    throw new InvalidDataException($"--batching_parameters_file {file} does not exist");
                }

                if (info.Length > MaxFileBytes)
                {
                    throw new InvalidDataException($"--batching_parameters_file {file} is {info.Length} bytes, over the limit of {MaxFileBytes}");
                }

                parameters = ToOptions(ProtoTextParser.Parse<BatchingParameters>(File.ReadAllText(file)));
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"--batching_parameters_file {file}:{ex.Message}", ex);
            }
            catch (IOException ex)
            {
                throw new InvalidDataException($"--batching_parameters_file {file} cannot be read: {ex.Message}", ex);
            }

            if (parameters.Validate() is { } problem)
            {
                throw new InvalidDataException($"--batching_parameters_file {file}: {problem}");
            }
        }

        return new BatchingServerOptions { EnableBatching = options.EnableBatching, Parameters = parameters };
    }

    /// <summary>Unset wrapper fields keep TF Serving's defaults (those of <see cref="BatchingOptions"/>).</summary>
    public static BatchingOptions ToOptions(BatchingParameters proto)
    {
        var defaults = new BatchingOptions();
        return defaults with
        {
            MaxBatchSize = proto.MaxBatchSize ?? defaults.MaxBatchSize,
            BatchTimeoutMicros = proto.BatchTimeoutMicros ?? defaults.BatchTimeoutMicros,
            MaxEnqueuedBatches = proto.MaxEnqueuedBatches ?? defaults.MaxEnqueuedBatches,
            NumBatchThreads = proto.NumBatchThreads ?? defaults.NumBatchThreads,
            MaxExecutionBatchSize = proto.MaxExecutionBatchSize,
            AllowedBatchSizes = proto.AllowedBatchSizes.ToArray(),
            EnableLargeBatchSplitting = proto.EnableLargeBatchSplitting ?? defaults.EnableLargeBatchSplitting,
            PadVariableLengthInputs = proto.PadVariableLengthInputs,
        };
    }
}
