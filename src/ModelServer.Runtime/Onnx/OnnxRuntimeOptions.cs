using System.ComponentModel.DataAnnotations;

namespace ModelServer.Runtime.Onnx;

/// <summary>How ONNX Runtime sessions are created (section <c>ModelServer:OnnxRuntime</c>).</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary><c>auto</c> (CUDA when it loads, else CPU), <c>cuda</c> (fail when CUDA cannot load) or <c>cpu</c>.</summary>
    [RegularExpression("^(?i)(auto|cuda|cpu)$", ErrorMessage = "ExecutionProvider must be auto, cuda or cpu.")]
    public string ExecutionProvider { get; set; } = "auto";

    [Range(0, 4096)]
    public int CudaDeviceId { get; set; }

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime use one per physical core.</summary>
    [Range(0, 1024)]
    public int IntraOpNumThreads { get; set; }

    /// <summary>Threads across independent operators; 0 lets ONNX Runtime decide.</summary>
    [Range(0, 1024)]
    public int InterOpNumThreads { get; set; }
}
