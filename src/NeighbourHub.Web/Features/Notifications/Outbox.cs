using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Features.Notifications;

/// <summary>Topics and payloads. A topic without a registered handler waits for the feature that will consume it.</summary>
public static class OutboxTopics
{
    /// <summary>A WeChat subscribe message to one resident.</summary>
    public const string SubscribeMessage = "wechat.subscribe";

    /// <summary>A resident attended a volunteer event that awards points (consumed by the time bank).</summary>
    public const string EventAttended = "events.attended";
}

/// <summary>A subscribe message as queued: the template is looked up by <see cref="TemplateKey"/> when sent.</summary>
public sealed record SubscribeMessagePayload(long ResidentId, string TemplateKey, string? Page, IReadOnlyDictionary<string, string> Data);

public sealed record EventAttendedPayload(long EventId, long CommunityId, long ResidentId, int Points, DateTimeOffset CompletedAt);

public static class Outbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds a message to the context; it is saved with the caller's other changes. Skips a key already
    /// stored or already added, so producers can be naive about repeats.
    /// </summary>
    public static async Task EnqueueAsync<T>(NeighbourHubDbContext db, string topic, string key, T payload, TimeProvider clock, CancellationToken ct)
    {
        if (db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.Entity.Key == key) || await db.OutboxMessages.AnyAsync(m => m.Key == key, ct))
        {
            return;
        }

        AddNew(db, topic, key, payload, clock);
    }

    /// <summary>
    /// Adds a message the caller knows is new: its key names a state change the caller's own conditional write just won
    /// (a payment turned paid), so no other request can have queued it, and the existence check of
    /// <see cref="EnqueueAsync"/> would be a round trip spent on every WeChat Pay callback. The key's unique index is the
    /// backstop: a wrong "new" fails the caller's transaction instead of sending twice.
    /// </summary>
    public static void AddNew<T>(NeighbourHubDbContext db, string topic, string key, T payload, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        db.OutboxMessages.Add(new OutboxMessage
        {
            Topic = topic,
            Key = key,
            Payload = JsonSerializer.Serialize(payload, Json),
            CreatedAt = now,
            AvailableAt = now,
        });
    }

    /// <summary>
    /// <see cref="AddNew"/> as MariaDB SQL, for a hot path that records a state change and its message in one round
    /// trip without change tracking. Its parameters are <see cref="SqlParameters"/>; as with <see cref="AddNew"/>, the
    /// key's unique index fails the caller's transaction should the message not be new after all.
    /// </summary>
    internal const string InsertNewSql = """
        INSERT INTO `OutboxMessages` (`Topic`, `Key`, `Payload`, `CreatedAt`, `AvailableAt`, `Attempts`)
        VALUES (@outboxTopic, @outboxKey, @outboxPayload, @outboxAt, @outboxAt, 0);
        """;

    /// <summary>The parameters of <see cref="InsertNewSql"/>: the message as <see cref="AddNew"/> would store it.</summary>
    internal static MySqlParameter[] SqlParameters<T>(string topic, string key, T payload, TimeProvider clock) =>
    [
        new("@outboxTopic", topic), new("@outboxKey", key), new("@outboxPayload", JsonSerializer.Serialize(payload, Json)),
        new("@outboxAt", clock.GetUtcNow().UtcDateTime),
    ];

    public static T Read<T>(OutboxMessage message) =>
        JsonSerializer.Deserialize<T>(message.Payload, Json) ?? throw new InvalidOperationException($"Outbox message {message.Id} has an empty payload.");
}
