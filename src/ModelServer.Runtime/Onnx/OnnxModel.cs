using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using ModelServer.Runtime.Models;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Onnx;

/// <summary>
/// One loaded ONNX model: an <see cref="InferenceSession"/> (owned, disposed with this object) and the
/// serving signature derived from its graph. Runs are thread-safe, as ONNX Runtime sessions are.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;

    // Whether CUDA can load is a fact of the machine: found out once, so each later load neither retries
    // (100+ ms) nor logs the same failure again. Null until the first attempt. On a machine with no NVIDIA
    // device "auto" does not try at all: a failed provider load was measured to leave CPU sessions ~35% slower
    // (docs/notes/batching.md), and there is nothing to gain from trying.
    private static int s_cpuReported;

    private static string? s_cudaUnavailable = HasNvidiaDevice() ? null : "no NVIDIA device (/dev/nvidiactl) on this machine";

    private OnnxModel(InferenceSession session, ModelSignature signature, string executionProvider, string path)
    {
        _session = session;
        Signature = signature;
        ExecutionProvider = executionProvider;
        Path = path;
        Metadata = new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap, StringComparer.Ordinal);
    }

    public ModelSignature Signature { get; }

    /// <summary>The provider the session was created with: <c>CUDAExecutionProvider</c> or <c>CPUExecutionProvider</c>.</summary>
    public string ExecutionProvider { get; }

    public string Path { get; }

    /// <summary>The ONNX <c>metadata_props</c> (labels, preprocessing…).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static OnnxModel Load(string path, OnnxRuntimeOptions options, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var (session, provider) = CreateSession(path, options, logger);
        try
        {
            var signature = new ModelSignature(
                ModelSignature.DefaultName,
                ModelSignature.PredictMethod,
                session.InputMetadata.Select(kv => ToSpec(kv.Key, kv.Value, path)).ToArray(),
                session.OutputMetadata.Select(kv => ToSpec(kv.Key, kv.Value, path)).ToArray());
            if (logger.IsEnabled(LogLevel.Debug))
            {
                OnnxLog.SessionCreated(logger, path, provider, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return new OnnxModel(session, signature, provider, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static (InferenceSession Session, string Provider) CreateSession(string path, OnnxRuntimeOptions options, ILogger logger)
    {
        var mode = options.ExecutionProvider.ToLowerInvariant();
        if (mode == "cuda" || (mode == "auto" && Volatile.Read(ref s_cudaUnavailable) is null))
        {
            using var cudaOptions = NewSessionOptions(options);
            try
            {
                cudaOptions.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                return (OpenSession(path, cudaOptions), "CUDAExecutionProvider");
            }
            catch (OnnxRuntimeException ex) when (mode == "auto" && IsProviderLoadFailure(ex))
            {
                Volatile.Write(ref s_cudaUnavailable, FirstLine(ex.Message));
                OnnxLog.CudaFallback(logger, FirstLine(ex.Message), path);
            }
        }

        if (mode == "auto" && Volatile.Read(ref s_cudaUnavailable) is { } reason && Interlocked.Exchange(ref s_cpuReported, 1) == 0)
        {
            OnnxLog.CpuOnly(logger, reason);
        }

        using var cpuOptions = NewSessionOptions(options);
        return (OpenSession(path, cpuOptions), "CPUExecutionProvider");
    }

    private static bool HasNvidiaDevice()
        => !OperatingSystem.IsLinux() || File.Exists("/dev/nvidiactl") || Directory.Exists("/proc/driver/nvidia");

    private static bool IsProviderLoadFailure(OnnxRuntimeException ex)
        => ex.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase)
           || ex.Message.Contains("shared library", StringComparison.OrdinalIgnoreCase)
           || ex.Message.Contains("provider", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    private static SessionOptions NewSessionOptions(OnnxRuntimeOptions options) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        IntraOpNumThreads = options.IntraOpNumThreads,
        InterOpNumThreads = options.InterOpNumThreads,
    };

    private static InferenceSession OpenSession(string path, SessionOptions sessionOptions)
    {
        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex) when (!ex.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase))
        {
            throw new OnnxModelException($"ONNX Runtime cannot load {path}: {FirstLine(ex.Message)}", ex);
        }
    }

    private static TensorSpec ToSpec(string name, NodeMetadata metadata, string path)
    {
        if (!metadata.IsTensor)
        {
            throw new OnnxModelException($"{path}: '{name}' is a {metadata.OnnxValueType}; only tensors can be served.");
        }

        var type = TensorElementTypeMap.ToDataType(metadata.ElementDataType)
            ?? throw new OnnxModelException($"{path}: '{name}' has element type {metadata.ElementDataType}, which the server cannot carry.");
        var shape = metadata.Dimensions.Select(d => d < 0 ? -1L : d).ToArray();
        return new TensorSpec(name, type, shape);
    }

    /// <summary>
    /// Runs the graph. Input tensors are borrowed (pinned for the run, not copied); output tensors own their
    /// ONNX Runtime buffers and belong to the caller, who disposes them.
    /// </summary>
    public IReadOnlyList<Tensor> Run(IReadOnlyList<string> inputNames, IReadOnlyList<Tensor> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken)
    {
        var values = new List<OrtValue>(inputs.Count);
        var pins = new List<System.Buffers.MemoryHandle>(inputs.Count);
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;
        try
        {
            foreach (var tensor in inputs)
            {
                values.Add(ToOrtValue(tensor, pins));
            }

            cancellationToken.ThrowIfCancellationRequested();
            IDisposableReadOnlyCollection<OrtValue> results;
            try
            {
                results = _session.Run(runOptions, inputNames, values, outputNames);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (OnnxRuntimeException ex)
            {
                throw new ServingException(ServingErrorCode.InvalidArgument, $"Model run failed: {FirstLine(ex.Message)}", ex);
            }

            return AdoptOutputs(results);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }

            foreach (var pin in pins)
            {
                pin.Dispose();
            }
        }
    }

    private static unsafe OrtValue ToOrtValue(Tensor tensor, List<System.Buffers.MemoryHandle> pins)
    {
        var shape = tensor.ShapeArray;
        if (tensor.DataType == TensorDataType.String)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            var strings = tensor.Strings;
            for (var i = 0; i < strings.Count; i++)
            {
                value.StringTensorSetElementAt(strings[i].Span, i);
            }

            return value;
        }

        // Empty tensors still need a valid pointer; ONNX Runtime reads no bytes from it.
        var data = tensor.Data.Length == 0 ? new byte[1] : tensor.Data;
        var pin = data.Pin();
        pins.Add(pin);
        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance,
            TensorElementTypeMap.ToElementType(tensor.DataType),
            shape,
            (IntPtr)pin.Pointer,
            tensor.Data.Length);
    }

    private static unsafe IReadOnlyList<Tensor> AdoptOutputs(IDisposableReadOnlyCollection<OrtValue> results)
    {
        var outputs = new List<Tensor>(results.Count);
        try
        {
            foreach (var value in results)
            {
                var info = value.GetTensorTypeAndShape();
                var type = TensorElementTypeMap.ToDataType(info.ElementDataType)
                    ?? throw new ServingException(ServingErrorCode.Internal, $"Model produced an unsupported element type {info.ElementDataType}.");
                var shape = info.Shape;
                if (type == TensorDataType.String)
                {
                    var count = (int)info.ElementCount;
                    var strings = new ReadOnlyMemory<byte>[count];
                    for (var i = 0; i < count; i++)
                    {
                        strings[i] = value.GetStringElementAsSpan(i).ToArray();
                    }

                    outputs.Add(Tensor.FromStrings(shape, strings));
                    value.Dispose();
                    continue;
                }

                var raw = value.GetTensorMutableRawData();
                fixed (byte* pointer = raw)
                {
                    // The OrtValue's buffer is native and does not move; the tensor owns the OrtValue from here.
                    var manager = new NativeMemoryManager(pointer, raw.Length);
                    outputs.Add(Tensor.Adopt(type, shape, manager.Memory, value));
                }
            }

            return outputs;
        }
        catch
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }

            results.Dispose();
            throw;
        }
    }

    public void Dispose() => _session.Dispose();
}
