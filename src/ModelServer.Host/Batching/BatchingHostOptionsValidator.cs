using Microsoft.Extensions.Options;

namespace ModelServer.Host.Batching;

/// <summary>Checks the batching flags and parameters file when the server starts, so a bad file stops it with its error.</summary>
internal sealed class BatchingHostOptionsValidator : IValidateOptions<BatchingHostOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchingHostOptions options)
    {
        try
        {
            BatchingParametersLoader.Load(options);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidDataException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
