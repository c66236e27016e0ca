using NeighbourHub.Web.Features.Audit;
using NeighbourHub.Web.Features.Demo;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.TimeBank;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features;

/// <summary>Each feature's services and routes, in one list so a newcomer sees them all.</summary>
public static class FeatureRegistration
{
    public static WebApplicationBuilder AddFeatures(this WebApplicationBuilder builder)
    {
        var s = builder.Services;
        s.AddJobTicks();
        s.AddSingleton<ResidenceService>();
        s.AddSingleton<HouseholdImport>();
        s.AddSingleton<OrganisationService>();
        s.AddSingleton<AdminAccounts>();
        s.AddSingleton<DemoData>();
        s.AddSingleton<EventService>();
        s.AddSingleton<SignupGate>();
        s.AddSingleton<EventTickets>();

        s.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName);
        s.AddSingleton<IOutboxHandler, SubscribeMessageHandler>();
        s.AddSingleton<IOutboxHandler, EventAttendedHandler>();
        s.AddOptions<TimeBankOptions>().BindConfiguration(TimeBankOptions.SectionName);
        s.AddSingleton<TimeBankLedger>();
        s.AddSingleton<TimeBankService>();
        s.AddSingleton<ServiceOrderService>();
        s.AddSingleton<Repairs.RepairService>();
        s.AddSingleton<Repairs.RepairKpis>();
        s.AddOptions<Repairs.RepairEscalationOptions>().BindConfiguration(Repairs.RepairEscalationOptions.SectionName);
        s.AddPeriodicJob<Repairs.RepairEscalationJob>();
        s.AddOptions<Files.FileStorageOptions>().BindConfiguration(Files.FileStorageOptions.SectionName);
        s.AddSingleton<Files.IFileStorage>(sp => Files.LocalFileImport.CreateStorage(sp, builder.Environment.ContentRootPath));
        s.AddOptions<Files.FileUploadOptions>().BindConfiguration(Files.FileUploadOptions.SectionName);
        s.AddSingleton<Files.FileService>();
        s.AddOptions<Files.FileCleanupOptions>().BindConfiguration(Files.FileCleanupOptions.SectionName);
        s.AddPeriodicJob<Files.UnattachedFileCleanupJob>();
        s.AddSingleton<Billing.BillingService>();
        s.AddSingleton<Billing.BillingRunner>();
        // Scoped: they hold the WeChat Pay typed HttpClient, which must not be captured for the app's lifetime.
        s.AddScoped<Payments.PaymentService>();
        s.AddScoped<Payments.StaffPayments>();
        s.AddScoped<Payments.PaymentNotifications>();
        s.AddOptions<Payments.ReconciliationOptions>().BindConfiguration(Payments.ReconciliationOptions.SectionName);
        s.AddPeriodicJob<Payments.PaymentReconciliationJob>();
        // The owners' fund (信托制) and the transparency log it writes.
        s.AddOptions<Transparency.HeadSigningOptions>().BindConfiguration(Transparency.HeadSigningOptions.SectionName);
        s.AddSingleton<Transparency.HeadSigner>();
        s.AddSingleton<Transparency.TransparencyLogs>();
        s.AddSingleton<Moderation.ContentScreen>();
        s.AddOptions<Fund.FundOptions>().BindConfiguration(Fund.FundOptions.SectionName);
        s.AddSingleton<Fund.FundLedger>();
        s.AddSingleton<Fund.FundRoles>();
        s.AddSingleton<Fund.FundAttachments>();
        s.AddSingleton<Fund.FundIncome>();
        s.AddSingleton<Fund.FundBudgets>();
        s.AddSingleton<Fund.FundExpenses>();
        s.AddSingleton<Fund.FundQuestions>();
        s.AddSingleton<Fund.FundYearTotals>();
        s.AddSingleton<Fund.FundQueries>();
        s.AddSingleton<Fund.FundStatements>();
        s.AddSingleton<IOutboxHandler, Fund.PaymentCollectedHandler>();
        s.AddSingleton<IOutboxHandler, Fund.RefundSucceededHandler>();
        s.AddPeriodicJob<Fund.FundStatementJob>();
        // Owners decide together: notices (公告), topics (议事) and owners' votes (业主大会).
        s.AddSingleton<Notices.NoticeBoard>();
        s.AddOptions<Notices.NoticeOptions>().BindConfiguration(Notices.NoticeOptions.SectionName);
        s.AddSingleton<Notices.NoticeQueries>();
        s.AddSingleton<IOutboxHandler, Notices.NoticeFanOut>();
        s.AddPeriodicJob<Notices.NoticePublicationJob>();
        s.AddSingleton<Topics.TopicBoard>();
        s.AddSingleton<Topics.TopicQueries>();
        s.AddOptions<Votes.VotingOptions>().BindConfiguration(Votes.VotingOptions.SectionName);
        s.AddSingleton<Votes.VoteDesk>();
        s.AddSingleton<Votes.VoteQueries>();
        s.AddPeriodicJob<Votes.VoteClockJob>();
        // The console's home page: figures and to-do list for the caller's scope.
        s.AddSingleton<Dashboard.DashboardQueries>();
        s.AddScoped<Dashboard.ConsoleLinks>();
        s.AddPeriodicJob<OutboxDispatcher>();
        return builder;
    }

    public static WebApplication MapFeatures(this WebApplication app)
    {
        app.MapIdentityApi();
        app.MapResidentsApi();
        app.MapOrganisationApi();
        app.MapAuditApi();
        app.MapEventsApi();
        app.MapTimeBankApi();
        app.MapServiceOrdersApi();
        Repairs.RepairsApi.MapRepairsApi(app);
        Repairs.Open311Api.MapOpen311Api(app);
        Files.FilesApi.MapFilesApi(app);
        Billing.BillingApi.MapBillingApi(app);
        Payments.PaymentsApi.MapPaymentsApi(app);
        Fund.FundApi.MapFundApi(app);
        Topics.TopicsApi.MapTopicsApi(app);
        Votes.VotesApi.MapVotesApi(app);
        Notices.NoticesApi.MapNoticesApi(app);
        Dashboard.DashboardApi.MapDashboardApi(app);
        Search.SearchApi.MapSearchApi(app);
        return app;
    }

    /// <summary>Tells whoever ran <c>dotnet run</c> where to go.</summary>
    public static void LogAddresses(this WebApplication app) =>
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Urls.Count > 0 ? app.Urls : ["(see Kestrel configuration)"];
            foreach (var a in addresses)
            {
                app.Logger.LogInformation("NeighbourHub console: {Url}/admin   API reference: {Url}/scalar   API: {Url}/api/v1", a, a, a);
            }
        });
}
