using ModelServer.Trainer.Native;

namespace ModelServer.Trainer.Tests;

/// <summary>The committed 28×28 CGI subset and scratch folders for tests.</summary>
internal static class TestData
{
    public static string CgiRoot => Path.Combine(AppContext.BaseDirectory, "Data", "rps-cgi-28x28");

    public static string[] Classes { get; } = ["paper", "rock", "scissors"];

    public static void EnsureTorch() => TorchNativeLibrary.EnsureLoaded();

    /// <summary>A fresh empty folder under the temp directory; the caller deletes it.</summary>
    public static string NewTempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "trainer-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Copies the CGI subset so a test can damage it.</summary>
    public static string CopyCgi(string destination)
    {
        foreach (string cls in Classes)
        {
            Directory.CreateDirectory(Path.Combine(destination, cls));
            foreach (string file in Directory.GetFiles(Path.Combine(CgiRoot, cls)))
            {
                File.Copy(file, Path.Combine(destination, cls, Path.GetFileName(file)));
            }
        }

        return destination;
    }
}
