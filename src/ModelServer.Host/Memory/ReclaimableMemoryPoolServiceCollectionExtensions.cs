using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Memory;

internal static class ReclaimableMemoryPoolServiceCollectionExtensions
{
    /// <summary>
    /// Kestrel's socket transport takes its pool factory from DI, the last registration winning: call this after
    /// Kestrel is added (WebApplication.CreateBuilder adds it first). The block size is
    /// <see cref="ServingOptions.TransportBlockBytes"/>, read when Kestrel starts its transport (after the options were
    /// validated).
    /// </summary>
    public static IServiceCollection AddReclaimableTransportMemoryPool(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ReclaimableBlockMemoryPoolFactory>();
        services.AddSingleton<IMemoryPoolFactory<byte>>(provider => provider.GetRequiredService<ReclaimableBlockMemoryPoolFactory>());
        return services;
    }
}
