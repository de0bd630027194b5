namespace Samples.Web.Tests.Support;

/// <summary>A new sample app per test, served through the ASP.NET Core pipeline, and a client for it.</summary>
/// <typeparam name="TApp">The sample's entry point.</typeparam>
public abstract class SampleTests<TApp> : IAsyncLifetime
    where TApp : class
{
    protected SampleFactory<TApp> Factory { get; } = new();

    protected HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
