using NeighbourHub.Web.Hosting;
using NeighbourHub.WeChat;

namespace NeighbourHub.Web.Features.Moderation;

/// <summary>What happens to a resident's text after screening.</summary>
public enum ScreenVerdict { Publish, Hold }

/// <summary>
/// Screens residents' text with WeChat content security (msg_sec_check v2) before any neighbour sees it:
/// risky text is refused with a clear message and nothing is kept; doubtful text is held for staff; when
/// WeChat cannot be reached, the text is held too (never published unchecked).
/// </summary>
public sealed class ContentScreen(IWeChatMiniProgram wechat, ILogger<ContentScreen> log)
{
    /// <summary>msg_sec_check scene 2: comments and posts.</summary>
    private const int CommentScene = 2;

    public async Task<ScreenVerdict> CheckAsync(string openId, string field, string text, CancellationToken ct)
    {
        ContentCheckResult result;
        try
        {
            result = await wechat.CheckTextAsync(openId, CommentScene, text, ct);
        }
        catch (Exception e) when (e is WeChatApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            log.LogWarning(e, "msg_sec_check failed; holding the text for staff review");
            return ScreenVerdict.Hold;
        }

        return result.Suggestion switch
        {
            ContentSuggestion.Pass => ScreenVerdict.Publish,
            ContentSuggestion.Risky => throw new DomainValidationException(field, "内容未通过微信内容安全检查，请修改后再提交。"),
            _ => ScreenVerdict.Hold,
        };
    }
}
