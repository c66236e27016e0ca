using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// One tick of one scheduled job, claimed by the instance whose INSERT of (job, slot) succeeded. The primary key
/// makes the claim: no lock, no lease, no Redis, and it works on SQLite too. Kept for a while so operators (and the
/// kill test) can see which instance ran what, when, and whether it finished.
/// </summary>
public sealed class JobTick
{
    /// <summary>The job's class name, e.g. <c>OutboxDispatcher</c>.</summary>
    public required string Job { get; set; }

    /// <summary>floor(Unix seconds / interval): the same number on every instance for the same tick.</summary>
    public long Slot { get; set; }

    /// <summary><c>Instance:Name</c> of the instance that ran it.</summary>
    public required string Instance { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Null while running, and forever when the instance died half-way (the next slot is claimable anyway).</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Whether the tick threw (its error is in that instance's log).</summary>
    public bool Failed { get; set; }
}

internal sealed class JobTickConfiguration : IEntityTypeConfiguration<JobTick>
{
    public void Configure(EntityTypeBuilder<JobTick> b)
    {
        b.ToTable("JobTicks");
        b.HasKey(x => new { x.Job, x.Slot });
        b.Property(x => x.Job).HasMaxLength(64);
        b.Property(x => x.Instance).HasMaxLength(128);
    }
}

public sealed class JobTickOptions
{
    public const string SectionName = "JobTicks";

    /// <summary>Ticks older than this are deleted by the job that made them.</summary>
    public double RetentionHours { get; set; } = 48;
}

/// <summary>This instance's name in logs and <see cref="JobTick.Instance"/>: <c>Instance:Name</c>, else machine name and process id.</summary>
public static class InstanceName
{
    public const string Key = "Instance:Name";

    public static string From(IConfiguration configuration)
    {
        var configured = configuration[Key];
        var name = string.IsNullOrWhiteSpace(configured) ? $"{Environment.MachineName}-{Environment.ProcessId}" : configured.Trim();
        return name.Length <= 128 ? name : name[..128];
    }
}

/// <summary>Claims, finishes and prunes <see cref="JobTick"/> rows; used by <see cref="PeriodicJob"/>'s loop.</summary>
public sealed class JobTicks(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    IConfiguration configuration,
    IOptions<JobTickOptions> options,
    ILogger<JobTicks> log)
{
    public string Instance { get; } = InstanceName.From(configuration);

    /// <summary>The slot a moment falls in: whole intervals since the Unix epoch.</summary>
    public static long SlotOf(DateTimeOffset at, TimeSpan interval) => (long)Math.Floor(at.ToUnixTimeMilliseconds() / interval.TotalMilliseconds);

    /// <summary>True when this instance now owns (job, slot); false when another instance claimed it first.</summary>
    public async Task<bool> TryClaimAsync(string job, long slot, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        if (db.Database.IsMySql())
        {
            // Losing the claim is the normal case for all instances but one, every tick: INSERT IGNORE answers it with
            // a row count instead of a duplicate-key error that EF would log at Error level each time.
            var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT IGNORE INTO JobTicks (Job, Slot, Instance, StartedAt, Failed) VALUES ({job}, {slot}, {Instance}, {now.UtcDateTime}, FALSE)", ct);
            return claimed == 1;
        }

        // SQLite serves one instance, so a claim is never contended there.
        db.JobTicks.Add(new JobTick { Job = job, Slot = slot, Instance = Instance, StartedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (IsDuplicateKey(e))
        {
            return false;
        }
    }

    public async Task FinishAsync(string job, long slot, DateTimeOffset now, bool failed, TimeSpan interval, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        await db.JobTicks.Where(t => t.Job == job && t.Slot == slot && t.Instance == Instance)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.FinishedAt, now).SetProperty(t => t.Failed, failed), ct);

        // Pruned by slot (the key's second column), so the delete walks the primary key; several instances pruning
        // the same rows at once only delete nothing.
        var oldest = SlotOf(now - TimeSpan.FromHours(options.Value.RetentionHours), interval);
        var pruned = await db.JobTicks.Where(t => t.Job == job && t.Slot < oldest).ExecuteDeleteAsync(ct);
        if (pruned > 0)
        {
            log.LogDebug("Pruned {Count} tick(s) of {Job}", pruned, job);
        }
    }

    private static bool IsDuplicateKey(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            // MariaDB ER_DUP_ENTRY; SQLite SQLITE_CONSTRAINT (primary key or unique).
            if (e is MySqlConnector.MySqlException { ErrorCode: MySqlConnector.MySqlErrorCode.DuplicateKeyEntry }
                || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 })
            {
                return true;
            }
        }

        return false;
    }
}

public static class PeriodicJobRegistration
{
    /// <summary>Registers a job as a singleton (tests call its run-once method) and runs its loop with a claim per tick.</summary>
    public static IServiceCollection AddPeriodicJob<TJob>(this IServiceCollection services)
        where TJob : PeriodicJob
    {
        services.AddSingleton<TJob>();
        // Typed as TJob, not PeriodicJob: AddHostedService de-duplicates by that type, so returning the base type
        // would keep only the first job registered.
        services.AddHostedService<TJob>(sp =>
        {
            var job = sp.GetRequiredService<TJob>();
            job.ClaimingTicksWith(sp.GetRequiredService<JobTicks>());
            return job;
        });
        return services;
    }

    /// <summary>The claims every job's loop uses (once per host, before the jobs).</summary>
    public static IServiceCollection AddJobTicks(this IServiceCollection services)
    {
        services.AddOptions<JobTickOptions>().BindConfiguration(JobTickOptions.SectionName);
        services.AddSingleton<JobTicks>();
        return services;
    }
}
