using System.ComponentModel.DataAnnotations;

namespace ModelServer.Runtime.Serving;

/// <summary>Server-wide serving settings and request limits (section <c>ModelServer</c>); validated at start.</summary>
public sealed class ServingOptions
{
    /// <summary>gRPC port (<c>--port</c>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8500;

    /// <summary>REST port (<c>--rest_api_port</c>); 0 turns REST off.</summary>
    [Range(0, 65535)]
    public int RestApiPort { get; set; } = 8501;

    /// <summary>Folder whose model folders are all served (<c>--model_repository</c>).</summary>
    public string ModelRepository { get; set; } = "model_repository";

    /// <summary>Single-model mode (<c>--model_name</c> with <c>--model_base_path</c>), as TF Serving's Docker image runs.</summary>
    public string? ModelName { get; set; }

    public string? ModelBasePath { get; set; }

    /// <summary>Replies carry <c>tensor_content</c> instead of typed <c>*_val</c> fields.</summary>
    public bool EnableSerializationAsTensorContent { get; set; }

    /// <summary>Largest request body or gRPC message accepted, checked before it is buffered.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest number of elements in one input tensor, checked before its buffer is allocated.</summary>
    [Range(1, long.MaxValue)]
    public long MaxTensorElements { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Inference requests (predict, classify; REST and gRPC) worked on at once, bodies included. Past it requests
    /// wait in a bounded queue; past that they are refused at once with UNAVAILABLE (503), so an overload sheds
    /// load instead of parsing hundreds of bodies at once and timing them all out.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Inference requests waiting for a slot (see <see cref="MaxConcurrentRequests"/>); 0 refuses at once.</summary>
    [Range(0, 1_000_000)]
    public int MaxQueuedRequests { get; set; } = 256;

    /// <summary>
    /// Longest a REST request waits for a slot before it is answered 503 (milliseconds). Without it a full queue
    /// under a long overload makes the last requests in it wait past the client's timeout: measured, 47 of 1,829
    /// admitted requests timed out at 30 s in a 600 req/s REST overload.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxQueueWaitMs { get; set; } = 5_000;

    /// <summary>
    /// Kestrel's transport buffers as ordinary arrays that an idle server drops and the GC can compact away (true),
    /// or Kestrel's own pool of pinned blocks (false), whose freed blocks fragment a heap the GC never compacts.
    /// </summary>
    public bool ReclaimableTransportMemoryPool { get; set; } = true;

    /// <summary>
    /// Bytes in each of those transport buffers (4 KB to 64 KB; Kestrel's own pool uses 4 KB). A socket read fills
    /// one buffer, so a 1.2 MB JSON body takes about 20 reads at 64 KB instead of 300 at 4 KB. Measured on one core:
    /// a REST overload from a client with 4,096 connections gave 22–460 timeouts instead of 2,672–2,941, and gRPC
    /// at 32 callers 70–72 instead of 61–70 req/s. Larger blocks would land on the large object heap, which the GC
    /// does not compact.
    /// </summary>
    [Range(4096, 65536)]
    public int TransportBlockBytes { get; set; } = 65536;

    /// <summary>
    /// Connections the kernel queues for each listening socket before the server accepts them (Kestrel's default is
    /// 512; Linux caps it at <c>net.core.somaxconn</c>). When thousands of clients connect at once, a short queue
    /// drops their SYNs and they see resets and timeouts instead of the 503 the server would have answered.
    /// </summary>
    [Range(1, 65535)]
    public int ListenBacklog { get; set; } = 4096;

    /// <summary>REST request timeout (<c>--rest_api_timeout_in_ms</c>); answered 504 when it passes.</summary>
    [Range(1, int.MaxValue)]
    public int RestApiTimeoutInMs { get; set; } = 30_000;
}
