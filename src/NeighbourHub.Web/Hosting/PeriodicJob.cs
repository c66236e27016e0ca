namespace NeighbourHub.Web.Hosting;

/// <summary>
/// A background loop every instance runs: one <see cref="RunTickAsync"/> per interval on the injected
/// <see cref="TimeProvider"/>, a failed tick logged and retried at the next one. A zero interval disables the
/// loop, so tests call the job's own run-once method with a fake clock instead of waiting.
/// </summary>
public abstract class PeriodicJob(TimeProvider clock, ILogger log) : BackgroundService
{
    /// <summary>The job's clock, for its own notion of "now" too.</summary>
    protected TimeProvider Clock { get; } = clock;

    /// <summary>Seconds between ticks; zero or less turns the loop off.</summary>
    protected abstract double IntervalSeconds { get; }

    protected abstract Task RunTickAsync(CancellationToken ct);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (IntervalSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(IntervalSeconds), Clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            using var tick = ProductMetrics.StartJob(GetType().Name); // the tick's log lines carry its trace id
            try
            {
                await RunTickAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "{Job} failed; trying again at the next tick", GetType().Name);
            }
        }
    }
}
