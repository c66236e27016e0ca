using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace NeighbourHub.WeChat;

/// <summary>
/// The embedded default when no WeChat app is configured. Codes <c>dev-&lt;name&gt;</c> sign in as
/// openid <c>dev-&lt;name&gt;</c>; phone codes <c>dev-&lt;11 digits&gt;</c> return that number; subscribe
/// messages are recorded instead of sent; text screening flags a small word list so the flow can be tried.
/// </summary>
public sealed partial class SandboxWeChatMiniProgram : IWeChatMiniProgram
{
    private readonly ConcurrentQueue<SubscribeMessage> _sent = new();

    /// <summary>Messages "sent" so far, newest last — visible for demos and tests.</summary>
    public IReadOnlyCollection<SubscribeMessage> SentMessages => _sent;

    public Task<WeChatSession> Code2SessionAsync(string code, CancellationToken ct)
    {
        if (!DevCode().IsMatch(code))
        {
            throw new WeChatApiException(40029, "invalid code (sandbox accepts dev-<name>)");
        }

        return Task.FromResult(new WeChatSession(code, null, "sandbox-session-key"));
    }

    public Task<WeChatPhone> GetPhoneNumberAsync(string code, CancellationToken ct)
    {
        var match = DevPhone().Match(code);
        if (!match.Success)
        {
            throw new WeChatApiException(40029, "invalid code (sandbox accepts dev-<11 digits>)");
        }

        var phone = match.Groups[1].Value;
        return Task.FromResult(new WeChatPhone(phone, phone, "86"));
    }

    public Task<SubscribeSendResult> SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken ct)
    {
        _sent.Enqueue(message);
        return Task.FromResult(new SubscribeSendResult(SubscribeSendOutcome.Sent, _sent.Count, 0, "sandbox"));
    }

    public Task<ContentCheckResult> CheckTextAsync(string openId, int scene, string content, CancellationToken ct)
    {
        var risky = content.Contains("违禁", StringComparison.Ordinal) || content.Contains("赌博", StringComparison.Ordinal);
        return Task.FromResult(risky
            ? new ContentCheckResult(ContentSuggestion.Risky, "20001")
            : new ContentCheckResult(ContentSuggestion.Pass, "100"));
    }

    [GeneratedRegex("^dev-[A-Za-z0-9_.-]{1,40}$")]
    private static partial Regex DevCode();

    [GeneratedRegex("^dev-(1[3-9][0-9]{9})$")]
    private static partial Regex DevPhone();
}
