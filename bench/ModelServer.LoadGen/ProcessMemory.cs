using System.Globalization;

namespace ModelServer.LoadGen;

/// <summary>Resident memory of a local process (Linux <c>/proc/PID/status</c>, VmRSS).</summary>
internal static class ProcessMemory
{
    public static double? ResidentMb(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.Value.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(6).Trim().ToString().Split(' ')[0], CultureInfo.InvariantCulture);
                    return Math.Round(kb / 1024.0, 1);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
