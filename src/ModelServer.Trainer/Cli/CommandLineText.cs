namespace ModelServer.Trainer.Cli;

/// <summary>The command line as typed, recorded in logs and the model card so a run can be repeated.</summary>
internal static class CommandLineText
{
    public static string Current() =>
        "ModelServer.Trainer " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
}
