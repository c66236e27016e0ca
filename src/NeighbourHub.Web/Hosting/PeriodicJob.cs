namespace NeighbourHub.Web.Hosting;

/// <summary>
/// A background loop every instance runs: one <see cref="RunTickAsync"/> per interval on the injected
/// <see cref="TimeProvider"/>, a failed tick logged and retried at the next one. A zero interval disables the
/// loop, so tests call the job's own run-once method with a fake clock instead of waiting.
/// <para>
/// Across instances each tick runs once: the loop wakes at the start of each slot (whole intervals since the Unix
/// epoch, the same on every instance) and runs only if its INSERT of (job, slot) into <c>JobTicks</c> wins
/// (<see cref="JobTicks"/>). An instance killed half-way leaves its slot unfinished; the next slot is a new key, so
/// another instance runs it, and the jobs themselves are idempotent per item (each claims its rows with a
/// conditional update or a unique key), so the half-done work is finished, never doubled.
/// </para>
/// </summary>
public abstract class PeriodicJob(TimeProvider clock, ILogger log) : BackgroundService
{
    private JobTicks? _ticks;
    private int _ticksRun;

    /// <summary>The job's clock, for its own notion of "now" too.</summary>
    protected TimeProvider Clock { get; } = clock;

    /// <summary>Seconds between ticks; zero or less turns the loop off.</summary>
    protected abstract double IntervalSeconds { get; }

    /// <summary>The name its ticks are claimed under: the class name, the same on every instance.</summary>
    public string JobName => GetType().Name;

    /// <summary>Ticks this instance's loop has run (claimed and started), for tests and metrics.</summary>
    public int TicksRun => Volatile.Read(ref _ticksRun);

    protected abstract Task RunTickAsync(CancellationToken ct);

    /// <summary>Makes the loop claim each tick first (set by the host; a job built by a test runs unclaimed).</summary>
    internal PeriodicJob ClaimingTicksWith(JobTicks ticks)
    {
        _ticks = ticks;
        return this;
    }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (IntervalSeconds <= 0)
        {
            return;
        }

        var interval = TimeSpan.FromSeconds(IntervalSeconds);
        var lastSlot = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Wake at the start of the next slot, so every instance asks for the same slot at about the same moment
            // and no slot falls between two instances' timers.
            var now = Clock.GetUtcNow();
            var next = (JobTicks.SlotOf(now, interval) + 1) * interval.TotalMilliseconds;
            var wait = TimeSpan.FromMilliseconds(Math.Max(0, next - now.ToUnixTimeMilliseconds()));
            try
            {
                await Task.Delay(wait, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var slot = JobTicks.SlotOf(Clock.GetUtcNow(), interval);
            if (slot <= lastSlot)
            {
                continue; // woke a hair early; this slot was already handled here
            }

            lastSlot = slot;
            await RunSlotAsync(slot, interval, stoppingToken);
        }
    }

    private async Task RunSlotAsync(long slot, TimeSpan interval, CancellationToken ct)
    {
        try
        {
            if (_ticks is not null && !await _ticks.TryClaimAsync(JobName, slot, Clock.GetUtcNow(), ct))
            {
                return; // another instance runs this tick
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // No database, no claim: the job could not have done its work either. Try the next slot.
            log.LogWarning(e, "{Job} could not claim its tick; trying again at the next one", JobName);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using var tick = ProductMetrics.StartJob(JobName); // the tick's log lines carry its trace id
        var failed = false;
        Interlocked.Increment(ref _ticksRun);
        try
        {
            await RunTickAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // shutting down: the tick stays unfinished, like one killed half-way
        }
        catch (Exception e)
        {
            failed = true;
            log.LogError(e, "{Job} failed; trying again at the next tick", JobName);
        }

        if (_ticks is not null)
        {
            try
            {
                await _ticks.FinishAsync(JobName, slot, Clock.GetUtcNow(), failed, interval, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "{Job} ran its tick but could not record it as finished", JobName);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
