using System.CommandLine;
using ModelServer.LoadGen;
using ModelServer.Testing;

var target = new Option<string>("--target") { Description = "Server URL (loopback only), e.g. http://127.0.0.1:8500 for gRPC, :8501 for REST", DefaultValueFactory = _ => "http://127.0.0.1:8500" };
var protocol = new Option<string>("--protocol") { Description = "grpc or rest", DefaultValueFactory = _ => "grpc" };
protocol.AcceptOnlyFromAmong("grpc", "rest");
var model = new Option<string>("--model") { Description = "Model name", Required = true };
var version = new Option<long?>("--version") { Description = "Model version (default: latest)" };
var input = new Option<string>("--input") { Description = "random, or a JSON file {\"instances\": …} / {\"inputs\": {…}} of floats", DefaultValueFactory = _ => "random" };
var rows = new Option<int>("--rows") { Description = "Rows per request for random input", DefaultValueFactory = _ => 1 };
var concurrency = new Option<string>("--concurrency") { Description = "Closed-loop concurrency steps, e.g. 1,8,32,64", DefaultValueFactory = _ => "1,8,32,64" };
var rate = new Option<string?>("--rate") { Description = "Open-loop rate steps (requests/s), e.g. 200 or 100,300; replaces the closed loop" };
var duration = new Option<string>("--duration") { Description = "Measured time per step (max 10m)", DefaultValueFactory = _ => "15s" };
var warmup = new Option<string>("--warmup") { Description = "Unrecorded warm-up per closed-loop step", DefaultValueFactory = _ => "2s" };
var maxRequests = new Option<long>("--max-requests") { Description = "Requests per step at most", DefaultValueFactory = _ => 1_000_000 };
var maxInFlight = new Option<int>("--max-inflight") { Description = "Open loop: outstanding requests at most (more are counted as client_backlog)", DefaultValueFactory = _ => 4096 };
var timeout = new Option<string>("--timeout") { Description = "Per-request timeout", DefaultValueFactory = _ => "60s" };
var expectContinue = new Option<bool>("--expect-continue") { Description = "REST: send Expect: 100-continue, so a refused request's body is never sent (curl does this above 1 MB)" };
var inprocess = new Option<string?>("--inprocess") { Description = "Load this ONNX file in-process and call ONNX Runtime directly (the ceiling)" };
var intraOpThreads = new Option<int>("--intra-op-threads") { Description = "In-process: ONNX Runtime intra-op threads (0 = its default; match the server's --ModelServer:OnnxRuntime:IntraOpNumThreads)", DefaultValueFactory = _ => 0 };
var serverPid = new Option<int?>("--server-pid") { Description = "Sample this local process's resident memory before and after each step" };
var label = new Option<string>("--label") { Description = "Label for the result rows", DefaultValueFactory = _ => string.Empty };
var output = new Option<string?>("--out") { Description = "Write results to FILE.json or FILE.csv" };

var root = new RootCommand("ModelServer load generator: closed and open loop over gRPC, REST, or in-process ONNX Runtime.");
foreach (var option in new Option[] { target, protocol, model, version, input, rows, concurrency, rate, duration, warmup, maxRequests, maxInFlight, timeout, expectContinue, inprocess, intraOpThreads, serverPid, label, output })
{
    root.Options.Add(option);
}

root.SetAction(async (parse, cancellationToken) =>
{
    LoadOptions options;
    try
    {
        options = new LoadOptions
        {
            Target = CliParsing.Target(parse.GetValue(target)!),
            Protocol = parse.GetValue(protocol)!,
            Model = parse.GetValue(model)!,
            Version = parse.GetValue(version),
            Input = parse.GetValue(input)!,
            Rows = parse.GetValue(rows) is var r and >= 1 and <= 4096 ? r : throw new ArgumentException("--rows: give 1 to 4096."),
            Concurrency = CliParsing.Concurrency(parse.GetValue(concurrency)!),
            Rates = CliParsing.Rates(parse.GetValue(rate)),
            Duration = CliParsing.Duration(parse.GetValue(duration)!, "--duration"),
            Warmup = CliParsing.Duration(parse.GetValue(warmup)!, "--warmup"),
            MaxRequests = Math.Clamp(parse.GetValue(maxRequests), 1, 100_000_000),
            MaxInFlight = Math.Clamp(parse.GetValue(maxInFlight), 1, 100_000),
            RequestTimeout = CliParsing.Duration(parse.GetValue(timeout)!, "--timeout"),
            ExpectContinue = parse.GetValue(expectContinue),
            InProcessModel = parse.GetValue(inprocess),
            IntraOpThreads = parse.GetValue(intraOpThreads) is var t and >= 0 and <= 256 ? t : throw new ArgumentException("--intra-op-threads: give 0 to 256."),
            ServerPid = parse.GetValue(serverPid),
            Label = parse.GetValue(label)!,
            Out = parse.GetValue(output),
        };
    }
    catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }

    return await LoadCommand.RunAsync(options, args, cancellationToken);
});

var synth = new Command("synth-model", "Write a model with the rps model's input and output (150x150x3 NHWC in, 3 probabilities out) to an ONNX file.");
var synthPath = new Argument<string>("path") { Description = "Where to write model.onnx" };
var synthKind = new Option<string>("--kind")
{
    Description = "cnn: the classic RPS network's shape and cost; transport: almost no compute, to measure the server's cost per request",
    DefaultValueFactory = _ => "cnn",
};
synthKind.AcceptOnlyFromAmong("cnn", "transport");
synth.Arguments.Add(synthPath);
synth.Options.Add(synthKind);
synth.SetAction(parse =>
{
    var path = parse.GetValue(synthPath)!;
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    File.WriteAllBytes(path, parse.GetValue(synthKind) == "transport" ? TestModels.TransportProbe() : TestModels.SyntheticRpsCnn());
    Console.WriteLine($"wrote {path}");
    return 0;
});
root.Subcommands.Add(synth);

return await root.Parse(args).InvokeAsync();
