using System.Diagnostics;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Warmup;

/// <summary>
/// Runs a freshly loaded model once per configured batch size on zeros shaped like its signature (symbolic
/// dimensions become 1, dimension 0 the batch size). A model that cannot run on such inputs fails its load,
/// as a failed warmup does in TF Serving, instead of failing its first client.
/// </summary>
public static class ModelWarmup
{
    /// <summary>Largest element count of one generated input; larger signatures are not warmed (and say so).</summary>
    public const long MaxElementsPerInput = 64L * 1024 * 1024;

    /// <summary>Returns the time spent; throws <see cref="Serving.ServingException"/> or an ONNX error when the model cannot run.</summary>
    public static TimeSpan Run(OnnxModel model, WarmupSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (!settings.Enabled)
        {
            return TimeSpan.Zero;
        }

        var signature = model.Signature;
        var inputNames = signature.Inputs.Select(i => i.Name).ToArray();
        var outputNames = signature.Outputs.Select(o => o.Name).ToArray();
        foreach (var batch in settings.BatchSizes.Distinct())
        {
            var inputs = new List<Tensor>(inputNames.Length);
            try
            {
                foreach (var spec in signature.Inputs)
                {
                    inputs.Add(Zeros(spec, batch));
                }

                // Outputs own native buffers: dispose them at once, only the run matters.
                foreach (var output in model.Run(inputNames, inputs, outputNames, cancellationToken))
                {
                    output.Dispose();
                }
            }
            finally
            {
                foreach (var input in inputs)
                {
                    input.Dispose();
                }
            }
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static Tensor Zeros(TensorSpec spec, int batch)
    {
        var shape = new long[spec.Shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = spec.Shape[d] >= 0 ? spec.Shape[d] : d == 0 ? batch : 1;
        }

        var count = TensorShape.ElementCount(shape);
        if (count < 0 || count > MaxElementsPerInput)
        {
            throw new InvalidOperationException($"warmup input '{spec.Name}' of shape {TensorShape.Format(shape)} exceeds {MaxElementsPerInput} elements; set warmup.enabled=false in config.json");
        }

        if (spec.DataType == TensorDataType.String)
        {
            var empty = new ReadOnlyMemory<byte>[count];
            Array.Fill(empty, ReadOnlyMemory<byte>.Empty);
            return Tensor.FromStrings(shape, empty);
        }

        // A plain array, not the shared pool: warmup runs once per load on whichever thread, and a large pooled
        // buffer would stay cached per thread (measured: RSS grew by a 100 MB model's input on each of the first swaps).
        return Tensor.Wrap(spec.DataType, shape, new byte[checked((int)(count * spec.DataType.ElementSize()))]);
    }
}
