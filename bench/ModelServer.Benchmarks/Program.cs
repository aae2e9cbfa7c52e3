using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ModelServer.Benchmarks.Rest.JsonDecodeBenchmarks).Assembly).Run(args);
