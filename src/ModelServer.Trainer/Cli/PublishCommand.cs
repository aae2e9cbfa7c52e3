using ModelServer.Trainer.Publishing;
using Spectre.Console.Cli;

namespace ModelServer.Trainer.Cli;

/// <summary><c>publish</c>: copy a model into the next free version, atomically.</summary>
public sealed class PublishCommand : Command<PublishSettings>
{
    public override int Execute(CommandContext context, PublishSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var published = ModelPublisher.Publish(settings.Model!, settings.Repository!, settings.Name!);
        Console.WriteLine($"Published {published.Name} version {published.Version}: {published.ModelPath}");
        return 0;
    }
}
