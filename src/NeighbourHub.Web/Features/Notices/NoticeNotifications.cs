using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Notices;

public sealed class NoticeOptions
{
    public const string SectionName = "Notices";

    /// <summary>Seconds between the publication job's looks for scheduled notices that have come due; zero turns the loop off (tests call it).</summary>
    public double PublishPollSeconds { get; set; } = 30;

    /// <summary>Subscribe messages written per batch by the fan-out.</summary>
    public int FanOutBatchSize { get; set; } = 500;
}

/// <summary>One notice's subscribe messages to send: at publication, or a reminder to the unread (<see cref="Stamp"/> tells reminders apart).</summary>
public sealed record NoticeFanOutPayload(long NoticeId, string Kind, long Stamp);

/// <summary>
/// Turns one queued "tell the residents about this notice" into one subscribe message per resident, in batches. A notice
/// to a community of 5,000 residents is one outbox row written with the notice, then 5,000 rows written here 500 at a time
/// with one look-up of the keys already written (a retried fan-out skips them) — never 5,000 look-ups inside the
/// publishing request. Each subscribe message then goes through <see cref="SubscribeMessageHandler"/>, which records
/// residents without quota ("no_quota", 43101) rather than retrying them.
/// </summary>
public sealed class NoticeFanOut(IDbContextFactory<NeighbourHubDbContext> contexts, NoticeQueries queries, IOptions<NoticeOptions> options, TimeProvider clock)
    : IOutboxHandler
{
    public const string Topic = "notices.fanout";
    public const string Published = "published";
    public const string Remind = "remind";

    /// <summary>The subscribe-message templates (configured under <c>WeChat:Templates</c>).</summary>
    public const string PublishedTemplate = "notice.published";
    public const string RemindTemplate = "notice.remind";

    string IOutboxHandler.Topic => Topic;

    public static string KeyOf(long noticeId, string kind, long stamp) => $"notice:{noticeId}:{kind}:{stamp}";

    public async Task<string> HandleAsync(OutboxMessage message, CancellationToken ct)
    {
        var payload = Outbox.Read<NoticeFanOutPayload>(message);
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        var notice = await db.Notices.AsNoTracking().SingleOrDefaultAsync(n => n.Id == payload.NoticeId, ct);
        if (notice is null)
        {
            return "skipped:no-notice";
        }

        if (notice.WithdrawnAt is not null)
        {
            return "skipped:withdrawn";
        }

        List<long> residents;
        if (payload.Kind == Remind)
        {
            var flats = await queries.FlatsAsync(db, notice, null, ct);
            residents = flats.Where(f => !f.Read).SelectMany(f => f.ResidentIds).Distinct().Order().ToList();
        }
        else
        {
            residents = await NoticeQueries.ResidentsInScopeAsync(db, notice, ct);
        }

        var prefix = KeyOf(notice.Id, payload.Kind, payload.Stamp) + ":";
        var done = (await db.OutboxMessages.AsNoTracking().Where(m => m.Key.StartsWith(prefix)).Select(m => m.Key).ToListAsync(ct)).ToHashSet();
        var template = payload.Kind == Remind ? RemindTemplate : PublishedTemplate;
        var data = new Dictionary<string, string>
        {
            // Subscribe-message "thing" values hold at most 20 characters.
            ["thing1"] = notice.Title.Clip(20),
            ["time2"] = notice.PublishAt.Show("yyyy年MM月dd日 HH:mm"),
            ["thing3"] = (payload.Kind == Remind ? "您还没有阅读这条公告，请查看" : notice.CreatedByName).Clip(20),
        };
        var now = clock.GetUtcNow();
        var queued = 0;
        foreach (var batch in residents.Where(r => !done.Contains(prefix + r.ToString(CultureInfo.InvariantCulture))).Chunk(Math.Max(1, options.Value.FanOutBatchSize)))
        {
            foreach (var residentId in batch)
            {
                db.OutboxMessages.Add(new OutboxMessage
                {
                    Topic = OutboxTopics.SubscribeMessage,
                    Key = prefix + residentId.ToString(CultureInfo.InvariantCulture),
                    Payload = JsonSerializer.Serialize(new SubscribeMessagePayload(residentId, template, $"pages/notices/detail?id={notice.Id}",
                        data), Json),
                    CreatedAt = now,
                    AvailableAt = now,
                });
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            queued += batch.Length;
        }

        return $"queued:{queued}";
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// Notifies the residents of notices whose time has come: scheduled by staff, or posted by another feature (a vote's
/// announcement) with <see cref="Notice.Notify"/>. Each notice is claimed by a conditional update on
/// <see cref="Notice.NotifiedAt"/>, so with several instances running this job each notice is announced once.
/// </summary>
public sealed class NoticePublicationJob(IDbContextFactory<NeighbourHubDbContext> contexts, IOptions<NoticeOptions> options, TimeProvider clock,
    ILogger<NoticePublicationJob> log) : PeriodicJob(clock, log)
{
    protected override double IntervalSeconds => options.Value.PublishPollSeconds;

    protected override Task RunTickAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Queues the subscribe messages of every notice that has come due; returns how many this instance claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        List<long> due;
        await using (var db = System())
        {
            due = await db.Notices.Where(n => n.Notify && n.NotifiedAt == null && n.WithdrawnAt == null && n.PublishAt <= now)
                .OrderBy(n => n.PublishAt).Select(n => n.Id).Take(200).ToListAsync(ct);
        }

        var claimed = 0;
        foreach (var id in due)
        {
            await using var db = System();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await NoticeBoard.QueuePublishedAsync(db, id, Clock, ct))
            {
                await db.SaveChangesAsync(ct);
                claimed++;
            }

            await tx.CommitAsync(ct);
        }

        return claimed;
    }

    private NeighbourHubDbContext System()
    {
        var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        return db;
    }
}
