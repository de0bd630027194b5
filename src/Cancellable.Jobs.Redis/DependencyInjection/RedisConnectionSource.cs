using StackExchange.Redis;

namespace Cancellable.Jobs.Redis.DependencyInjection;

/// <summary>
/// The connection the store uses: one the app passed in (not disposed here), or one opened from a connection string on
/// first use and disposed with the container.
/// </summary>
internal sealed class RedisConnectionSource : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer> _connection;
    private readonly bool _owned;

    public RedisConnectionSource(IConnectionMultiplexer connection)
    {
        _connection = new(connection);
    }

    public RedisConnectionSource(string connectionString)
    {
        _owned = true;
        _connection = new(() =>
        {
            var options = ConfigurationOptions.Parse(connectionString);
            if (!connectionString.Contains("abortConnect", StringComparison.OrdinalIgnoreCase))
            {
                // A host must start, and keep running, while Redis is briefly away; operations fail until it is back.
                options.AbortOnConnectFail = false;
            }

            return ConnectionMultiplexer.Connect(options);
        });
    }

    public IConnectionMultiplexer Connection => _connection.Value;

    public void Dispose()
    {
        if (_owned && _connection.IsValueCreated)
        {
            _connection.Value.Dispose();
        }
    }
}
