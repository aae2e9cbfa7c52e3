using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelServer.Host.Memory;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Tests.Memory;

/// <summary>
/// Kestrel on loopback reads and writes through the reclaimable pool when it is registered the way the server's
/// startup does it (after <c>WebApplication.CreateBuilder</c>). Not through WebApplicationFactory: its UseKestrel adds
/// Kestrel's services again after the app's, so Kestrel's own pool factory would win there.
/// </summary>
public sealed class KestrelReclaimablePoolTests
{
    [Theory]
    [InlineData(ReclaimableBlockMemoryPool.MinBlockSize)]
    [InlineData(ReclaimableBlockMemoryPool.MaxBlockSize)]
    public async Task Large_bodies_both_ways_over_real_sockets_go_through_the_pool(int blockSize)
    {
        int port = LoopbackPort.Free();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        builder.Services.Configure<ServingOptions>(options => options.TransportBlockBytes = blockSize);
        builder.Services.AddReclaimableTransportMemoryPool();
        await using var app = builder.Build();
        // Echoes the body reversed: the reply spans many blocks, which Kestrel sends as one multi-buffer write.
        app.MapPost("/reverse", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            char[] text = (await reader.ReadToEndAsync()).ToCharArray();
            Array.Reverse(text);
            return Results.Text(new string(text));
        });
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
        string body = string.Concat(Enumerable.Range(0, 20_000).Select(i => i.ToString("D5", CultureInfo.InvariantCulture)));

        for (int i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync(new Uri("/reverse", UriKind.Relative), new StringContent(body));
            Assert.Equal(new string(body.Reverse().ToArray()), await response.Content.ReadAsStringAsync());
        }

        var pools = app.Services.GetRequiredService<ReclaimableBlockMemoryPoolFactory>().Pools;
        Assert.NotEmpty(pools);
        Assert.All(pools, pool => Assert.Equal(blockSize, pool.BlockSize));
        long rents = pools.Sum(p => p.RentCount);
        Assert.True(rents >= 2 * 3 * body.Length / blockSize, $"Kestrel did not read and write through the pool ({rents} rents).");
        if (blockSize > 4 * ReclaimableBlockMemoryPool.MinBlockSize)
        {
            // Kestrel fills the whole block it is handed rather than 4 KB of it: fewer rents, hence fewer socket reads.
            Assert.True(rents < 2 * 3 * body.Length / (4 * ReclaimableBlockMemoryPool.MinBlockSize), $"{rents} rents: Kestrel used only part of each {blockSize}-byte block.");
        }

        await app.StopAsync();
    }
}
