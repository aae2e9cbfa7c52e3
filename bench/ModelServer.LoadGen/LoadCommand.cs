namespace ModelServer.LoadGen;

/// <summary>Runs every step of a load run against its target and reports them.</summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(LoadOptions options, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        // Blocking in-process workers each need a thread; async targets need a few more than the default minimum.
        var workers = options.Concurrency.Max() + 16;
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.SetMinThreads(Math.Max(minWorkers, workers), minIo);

        await using var target = CreateTarget(options);
        var signature = target switch
        {
            GrpcTarget grpc => await grpc.SignatureAsync(cancellationToken),
            RestTarget rest => await rest.SignatureAsync(cancellationToken),
            InProcessTarget local => local.Signature,
            _ => throw new InvalidOperationException(),
        };
        var input = options.Input == "random"
            ? RequestInput.Random(signature, options.Rows)
            : RequestInput.FromJsonFile(options.Input, signature[0].Name);
        await target.PrepareAsync(input, cancellationToken);
        Console.WriteLine($"# {target.Name} {options.Model}: inputs {string.Join(", ", input.Tensors.Select(t => $"{t.Name}[{string.Join(',', t.Shape)}]"))}; {Environment.ProcessorCount} cores");

        var results = new List<StepResult>();
        if (options.Rates.Count > 0)
        {
            foreach (var rate in options.Rates)
            {
                results.Add(await LoadRunner.OpenLoopAsync(target, rate, options));
                Console.WriteLine(ResultWriter.Line(results[^1]));
            }
        }
        else
        {
            foreach (var concurrency in options.Concurrency)
            {
                results.Add(await LoadRunner.ClosedLoopAsync(target, concurrency, options));
                Console.WriteLine(ResultWriter.Line(results[^1]));
            }
        }

        if (options.Out is { } path)
        {
            ResultWriter.Write(path, results, args);
        }

        return 0;
    }

    private static ILoadTarget CreateTarget(LoadOptions options)
    {
        if (options.InProcessModel is { } path)
        {
            return new InProcessTarget(path, options.IntraOpThreads);
        }

        return options.Protocol == "rest"
            ? new RestTarget(options.Target, options.Model, options.Version, options.RequestTimeout, options.ExpectContinue)
            : new GrpcTarget(options.Target, options.Model, options.Version, options.RequestTimeout);
    }
}
