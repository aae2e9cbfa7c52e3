using System.Runtime.InteropServices;

namespace ModelServer.Runtime.Repository;

/// <summary>
/// Hands freed native heap memory back to the OS after a session is disposed. glibc raises its mmap threshold once
/// a large block is freed, so the next model's weights come from the heap and, freed again, stay resident: without
/// a trim, RSS climbs by a model's size over the first reloads (measured: +36 % over 50 cycles of a 16 MB model).
/// A no-op where the C library has no <c>malloc_trim</c> (musl, macOS, Windows).
/// </summary>
internal static partial class NativeHeap
{
    private static bool s_unavailable = !OperatingSystem.IsLinux();

    public static void Trim()
    {
        if (Volatile.Read(ref s_unavailable))
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref s_unavailable, true);
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
