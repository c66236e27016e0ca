namespace NeighbourHub.WeChat;

/// <summary>The mini-program server calls NeighbourHub makes. Implemented over HTTP and by the sandbox.</summary>
public interface IWeChatMiniProgram
{
    /// <summary><c>jscode2session</c>. Throws <see cref="WeChatApiException"/> for a bad, used or blocked code.</summary>
    Task<WeChatSession> Code2SessionAsync(string code, CancellationToken ct);

    /// <summary><c>getuserphonenumber</c> for a phone code from the button's bindgetphonenumber event.</summary>
    Task<WeChatPhone> GetPhoneNumberAsync(string code, CancellationToken ct);

    /// <summary>Subscribe message send. "No quota" and refusals are results, not exceptions.</summary>
    Task<SubscribeSendResult> SendSubscribeMessageAsync(SubscribeMessage message, CancellationToken ct);

    /// <summary><c>msg_sec_check</c> v2: screens user text before it is published.</summary>
    Task<ContentCheckResult> CheckTextAsync(string openId, int scene, string content, CancellationToken ct);
}
