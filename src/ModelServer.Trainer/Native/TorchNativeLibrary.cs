using System.Runtime.InteropServices;
using TorchSharp;

namespace ModelServer.Trainer.Native;

/// <summary>
/// Loads TorchSharp's native library up front so a failure is reported with the loader's own
/// reason. TorchSharp's message for any load failure blames a missing libtorch package, which
/// hides the real cause on Debian 12 (a GLIBCXX version; see build/torchsharp-glibcxx).
/// </summary>
internal static partial class TorchNativeLibrary
{
    private const string TorchSharpLibrary = "libLibTorchSharp.so";
    private const string ShimLibrary = "libglibcxx_shim.so";
    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;
    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>Makes TorchSharp usable or throws <see cref="TorchUnavailableException"/> saying why not.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded)
            {
                return;
            }

            string directory = AppContext.BaseDirectory;
            if (OperatingSystem.IsLinux())
            {
                // Binds the dlerror stub now: binding it after a failed dlopen would reset the message.
                _ = DlErrorNative();
            }

            string shim = Path.Combine(directory, ShimLibrary);
            // The build leaves the shim only where the system libstdc++ lacks a version TorchSharp
            // needs. RTLD_GLOBAL makes its symbol visible to libraries loaded after it.
            if (OperatingSystem.IsLinux() && File.Exists(shim) && DlOpen(shim, RtldNow | RtldGlobal) == IntPtr.Zero)
            {
                throw new TorchUnavailableException($"Cannot load {shim}: {DlError()}");
            }

            LimitOneDnnIsa();
            string native = Path.Combine(directory, TorchSharpLibrary);
            if (OperatingSystem.IsLinux())
            {
                if (!File.Exists(native))
                {
                    throw new TorchUnavailableException(
                        $"{native} is missing: the build did not copy TorchSharp's native library (is the libtorch-cpu-linux-x64 package restored?).");
                }

                if (DlOpen(native, RtldNow | RtldGlobal) == IntPtr.Zero)
                {
                    throw new TorchUnavailableException(
                        $"Cannot load {native}: {DlError()}. If this names a GLIBCXX version, rebuild so the build's "
                        + "GLIBCXX fix (build/torchsharp-glibcxx) runs, or install a newer libstdc++.");
                }
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception ex) when (ex is NotSupportedException or DllNotFoundException or TypeInitializationException)
            {
                throw new TorchUnavailableException($"TorchSharp failed to initialise: {ex.Message}", ex);
            }

            loaded = true;
        }
    }

    /// <summary>
    /// Caps oneDNN (libtorch's CPU convolution library) at AVX2 unless the user chose an ISA.
    /// On this project's machines (AMD EPYC with AVX-512, in a VM) libtorch 2.10's AVX-512
    /// convolution kernels return NaN or wrong values at random for some channel counts (24→32
    /// for example), while the AVX2 kernels match ONNX Runtime to 1e-7. oneDNN reads the variable
    /// from the native environment on first use, so it is set with setenv before libtorch loads
    /// (Environment.SetEnvironmentVariable only changes .NET's copy).
    /// </summary>
    private static void LimitOneDnnIsa()
    {
        const string Variable = "ONEDNN_MAX_CPU_ISA";
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) is null)
        {
            _ = SetEnv(Variable, "AVX2", 0);
            Environment.SetEnvironmentVariable(Variable, "AVX2");
        }
    }

    private static string DlError()
    {
        IntPtr message = DlErrorNative();
        return message == IntPtr.Zero ? "unknown error" : Marshal.PtrToStringUTF8(message) ?? "unknown error";
    }

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlOpen(string fileName, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial IntPtr DlErrorNative();
}
