using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using MySqlConnector;

namespace NeighbourHub.Web.Data;

/// <summary>
/// Empties MySqlConnector's pools the moment a command finds its connection dead (MariaDB restarted or failed over,
/// a network cut, a <c>KILL</c>). The app's pool hands connections out without the reset that would have checked them
/// (<c>ConnectionReset</c> off, <see cref="DataExtensions.WithoutConnectionReset"/>), so each dead connection would fail a
/// request. Clearing on the first failure makes it one request per instance — answered 503 with
/// Retry-After, like any transient failure — and the next ones get fresh connections (ADR 0014).
/// </summary>
public sealed class DeadConnections : DbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    public static readonly DeadConnections Instance = new();

    /// <summary>MariaDB's ER_CONNECTION_KILLED ("Connection was killed"), which MySqlConnector has no name for.</summary>
    public const int ConnectionKilled = 1927;

    private long _lastClearMs = long.MinValue / 2;

    /// <summary>How often at most the pools are cleared (ms, monotonic): a burst of failures from one restart needs one clearing.</summary>
    private const long MinimumGapMs = 500;

    /// <summary>The connection itself is gone, not the statement wrong: its socket failed, or the server went or never answered.</summary>
    public static bool IsDeadConnection(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is MySqlException { InnerException: IOException or System.Net.Sockets.SocketException } or MySqlEndOfStreamException
                or MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ServerShutdown or MySqlErrorCode.ConnectionCountError }
                or MySqlException { Number: ConnectionKilled })
            {
                return true;
            }
        }

        return false;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Observe(eventData.Exception);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Observe(eventData.Exception);
        return Task.CompletedTask;
    }

    public void ConnectionFailed(DbConnection connection, ConnectionErrorEventData eventData) => Observe(eventData.Exception);

    public Task ConnectionFailedAsync(DbConnection connection, ConnectionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Observe(eventData.Exception);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Observe(eventData.Exception);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Observe(eventData.Exception);
        return Task.CompletedTask;
    }

    /// <summary>Also for code that talks to MariaDB without EF (the readiness probe).</summary>
    public void Observe(Exception exception)
    {
        if (!IsDeadConnection(exception))
        {
            return;
        }

        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastClearMs);
        if (now - last < MinimumGapMs || Interlocked.CompareExchange(ref _lastClearMs, now, last) != last)
        {
            return;
        }

        // Idle connections are closed now; those in use are discarded when returned (the pool's generation moved).
        MySqlConnection.ClearAllPools();
    }
}
