using Microsoft.Extensions.Options;
using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Inference;

namespace ModelServer.Host.Batching;

public static class BatchingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the batching runner as the inference runner. It batches the versions of models that ask for it
    /// (<c>--enable_batching</c>, or a config.json "batching" section) and runs every other request directly.
    /// </summary>
    public static IServiceCollection AddModelServerBatching(this IServiceCollection services)
    {
        services.AddOptions<BatchingHostOptions>().BindConfiguration("ModelServer").ValidateOnStart();
        services.AddSingleton<IValidateOptions<BatchingHostOptions>, BatchingHostOptionsValidator>();
        services.AddSingleton(sp => BatchingParametersLoader.Load(sp.GetRequiredService<IOptions<BatchingHostOptions>>().Value));
        services.AddSingleton<BatchingMetrics>();
        services.AddSingleton<IBatchingMetrics>(sp => sp.GetRequiredService<BatchingMetrics>());
        services.AddSingleton<IBatchExecutor>(OnnxBatchExecutor.Instance);
        services.AddSingleton<BatchingInferenceRunner>();
        services.AddSingleton<IInferenceRunner>(sp => sp.GetRequiredService<BatchingInferenceRunner>());
        services.AddSingleton<IRequestAdmission>(sp => sp.GetRequiredService<BatchingInferenceRunner>());
        return services;
    }
}
