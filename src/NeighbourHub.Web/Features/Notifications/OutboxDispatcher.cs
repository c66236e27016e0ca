using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Notifications;

/// <summary>Handles one topic. Throw to retry later; return an outcome to finish the message.</summary>
public interface IOutboxHandler
{
    string Topic { get; }

    Task<string> HandleAsync(OutboxMessage message, CancellationToken ct);
}

/// <summary>A failure that retrying will not fix: the message is finished with this outcome.</summary>
public sealed class OutboxGiveUpException(string outcome) : Exception(outcome)
{
    public string Outcome { get; } = outcome;
}

public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>How often each instance looks for due messages. Zero disables the background loop (tests drive it).</summary>
    public double PollSeconds { get; set; } = 2;

    public int BatchSize { get; set; } = 50;

    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; doubled after every failure.</summary>
    public double FirstRetrySeconds { get; set; } = 10;

    /// <summary>/health/ready says Degraded when the oldest undelivered message is older than this.</summary>
    public double LagDegradedSeconds { get; set; } = 300;
}

/// <summary>
/// Delivers outbox messages. Each message is claimed with a conditional update (a lease), so several
/// instances never process the same message at once; a crashed instance's lease simply runs out.
/// </summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    IEnumerable<IOutboxHandler> handlers,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> log) : PeriodicJob(clock, log)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private readonly string _instance = Truncate($"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}", 64);
    private readonly Dictionary<string, IOutboxHandler> _handlers = handlers.ToDictionary(h => h.Topic);

    protected override double IntervalSeconds => options.Value.PollSeconds;

    /// <summary>Drains everything due, batch after batch.</summary>
    protected override async Task RunTickAsync(CancellationToken ct)
    {
        while (await DispatchOnceAsync(ct) > 0)
        {
        }
    }

    /// <summary>Processes one batch of due messages; returns how many were attempted.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        var topics = _handlers.Keys.ToList();
        List<long> due;
        await using (var db = System())
        {
            due = await db.OutboxMessages
                .Where(m => m.ProcessedAt == null && topics.Contains(m.Topic) && m.AvailableAt <= now && (m.LockedUntil == null || m.LockedUntil < now))
                .OrderBy(m => m.Id).Select(m => m.Id).Take(options.Value.BatchSize).ToListAsync(ct);
        }

        var attempted = 0;
        foreach (var id in due)
        {
            await using var db = System();
            var leaseEnd = Clock.GetUtcNow().Add(Lease);
            var claimed = await db.OutboxMessages
                .Where(m => m.Id == id && m.ProcessedAt == null && (m.LockedUntil == null || m.LockedUntil < now))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, leaseEnd).SetProperty(m => m.LockedBy, _instance), ct);
            if (claimed != 1)
            {
                continue; // another instance took it
            }

            attempted++;
            var message = await db.OutboxMessages.SingleAsync(m => m.Id == id, ct);
            message.Attempts++;
            try
            {
                message.Outcome = await _handlers[message.Topic].HandleAsync(message, ct);
                message.ProcessedAt = Clock.GetUtcNow();
                message.LastError = null;
            }
            catch (OutboxGiveUpException e)
            {
                message.Outcome = e.Outcome;
                message.ProcessedAt = Clock.GetUtcNow();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                message.LastError = Truncate(e.Message, 500);
                if (message.Attempts >= options.Value.MaxAttempts)
                {
                    message.Outcome = OutboxMessage.DeadLetter;
                    message.ProcessedAt = Clock.GetUtcNow();
                    log.LogError(e, "Outbox message {Id} ({Topic}) failed for good after {Attempts} attempts", message.Id, message.Topic, message.Attempts);
                }
                else
                {
                    var delay = TimeSpan.FromSeconds(options.Value.FirstRetrySeconds * Math.Pow(2, message.Attempts - 1));
                    message.AvailableAt = Clock.GetUtcNow().Add(delay);
                    log.LogWarning("Outbox message {Id} ({Topic}) attempt {Attempts} failed: {Error}; retry in {Delay}", message.Id, message.Topic, message.Attempts, e.Message, delay);
                }
            }

            message.LockedUntil = null;
            message.LockedBy = null;
            await db.SaveChangesAsync(CancellationToken.None);
        }

        return attempted;
    }

    private NeighbourHubDbContext System()
    {
        var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        return db;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
