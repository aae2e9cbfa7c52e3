namespace ModelServer.Host.Tests.Images;

/// <summary>
/// A theory over the shipped RPS model: reported as skipped (not passed) while model_repository/rps/1/model.onnx
/// is not in the repository yet, and run as soon as the trainer's model is committed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RpsModelTheoryAttribute : TheoryAttribute
{
    public RpsModelTheoryAttribute()
    {
        if (!File.Exists(ModelPath))
        {
            Skip = $"The shipped RPS model is not in the repository yet ({ModelPath}).";
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ModelServer.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("ModelServer.sln not found above the test binaries.");
        }
    }

    public static string ModelPath => Path.Combine(RepositoryRoot, "model_repository", "rps", "1", "model.onnx");
}
