namespace NeighbourHub.WeChat;

/// <summary>What a WeChat <c>errcode</c> means to us, so callers branch on meaning rather than numbers.</summary>
public enum WeChatErrorKind
{
    Unknown,
    /// <summary>-1: system busy; retried by the client before it gives up.</summary>
    Busy,
    /// <summary>40029: the code is invalid or expired (codes live about five minutes and work once).</summary>
    InvalidCode,
    /// <summary>40163: the code was already used.</summary>
    CodeUsed,
    /// <summary>45011 / 45009: rate limited.</summary>
    RateLimited,
    /// <summary>40226: WeChat flagged the user as risky.</summary>
    RiskyUser,
    /// <summary>40001 / 42001 / 40014: the access token is invalid or expired.</summary>
    AccessTokenInvalid,
    /// <summary>40013 / 40125: wrong AppID or secret — a configuration error.</summary>
    BadCredentials,
    /// <summary>43101: the user has no subscribe-message quota left (not worth retrying).</summary>
    NoSubscribeQuota,
    /// <summary>40003: the openid is not valid for this app.</summary>
    BadOpenId,
    /// <summary>40037 / 47003: template id or data rejected.</summary>
    BadTemplate,
}

public static class WeChatErrorCodes
{
    public static WeChatErrorKind Classify(int errCode) => errCode switch
    {
        -1 => WeChatErrorKind.Busy,
        40029 => WeChatErrorKind.InvalidCode,
        40163 => WeChatErrorKind.CodeUsed,
        45011 or 45009 => WeChatErrorKind.RateLimited,
        40226 => WeChatErrorKind.RiskyUser,
        40001 or 42001 or 40014 => WeChatErrorKind.AccessTokenInvalid,
        40013 or 40125 => WeChatErrorKind.BadCredentials,
        43101 => WeChatErrorKind.NoSubscribeQuota,
        40003 => WeChatErrorKind.BadOpenId,
        40037 or 47003 => WeChatErrorKind.BadTemplate,
        _ => WeChatErrorKind.Unknown,
    };
}

/// <summary>WeChat answered with a non-zero errcode that the caller has to deal with.</summary>
public sealed class WeChatApiException(int errCode, string? errMsg)
    : Exception($"WeChat error {errCode}: {errMsg}")
{
    public int ErrCode { get; } = errCode;
    public string? ErrMsg { get; } = errMsg;
    public WeChatErrorKind Kind { get; } = WeChatErrorCodes.Classify(errCode);
}
