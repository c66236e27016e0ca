using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OwnersFund : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FundAccounts",
                columns: table => new
                {
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    LogId = table.Column<long>(type: "INTEGER", nullable: false),
                    BalanceFen = table.Column<long>(type: "INTEGER", nullable: false),
                    RemunerationBp = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundAccounts", x => x.EstateId);
                });

            migrationBuilder.CreateTable(
                name: "FundAttachments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    FileId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ExpenseId = table.Column<long>(type: "INTEGER", nullable: true),
                    IsPaymentProof = table.Column<bool>(type: "INTEGER", nullable: false),
                    EntrySeq = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundAttachments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FundBudgets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DraftedByAdminId = table.Column<long>(type: "INTEGER", nullable: false),
                    DraftedByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ApprovalsRequired = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundBudgets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FundEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AmountFen = table.Column<long>(type: "INTEGER", nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    BudgetLineId = table.Column<long>(type: "INTEGER", nullable: true),
                    Memo = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Counterparty = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AttachmentSha256s = table.Column<string>(type: "TEXT", maxLength: 1400, nullable: false),
                    ExpenseId = table.Column<long>(type: "INTEGER", nullable: true),
                    SourceKey = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FundExpenses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AmountFen = table.Column<long>(type: "INTEGER", nullable: false),
                    BudgetLineId = table.Column<long>(type: "INTEGER", nullable: true),
                    Payee = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Memo = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ApprovalsRequired = table.Column<int>(type: "INTEGER", nullable: false),
                    OverPlan = table.Column<bool>(type: "INTEGER", nullable: false),
                    ProposedByAdminId = table.Column<long>(type: "INTEGER", nullable: false),
                    ProposedByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ProposedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    RejectionReason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    VoucherNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PaidAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EntrySeq = table.Column<long>(type: "INTEGER", nullable: true),
                    PayIdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundExpenses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FundQuestions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpenseId = table.Column<long>(type: "INTEGER", nullable: true),
                    EntrySeq = table.Column<long>(type: "INTEGER", nullable: true),
                    ResidentId = table.Column<long>(type: "INTEGER", nullable: false),
                    AskedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    AskedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    AnsweredBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundQuestions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FundStatements",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Month = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    OpeningFen = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosingFen = table.Column<long>(type: "INTEGER", nullable: false),
                    IncomeFen = table.Column<long>(type: "INTEGER", nullable: false),
                    RemunerationFen = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpenseFen = table.Column<long>(type: "INTEGER", nullable: false),
                    ReversalFen = table.Column<long>(type: "INTEGER", nullable: false),
                    FirstSeq = table.Column<long>(type: "INTEGER", nullable: false),
                    EntryCount = table.Column<long>(type: "INTEGER", nullable: false),
                    BreakdownJson = table.Column<string>(type: "TEXT", nullable: false),
                    HeadTreeSize = table.Column<long>(type: "INTEGER", nullable: false),
                    HeadRootHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    HeadTimestamp = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HeadKeyId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    HeadSignature = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    MadeAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundStatements", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TransparencyHeads",
                columns: table => new
                {
                    LogId = table.Column<long>(type: "INTEGER", nullable: false),
                    TreeSize = table.Column<long>(type: "INTEGER", nullable: false),
                    RootHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Timestamp = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    KeyId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Signature = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TransparencyHeads", x => new { x.LogId, x.TreeSize });
                });

            migrationBuilder.CreateTable(
                name: "TransparencyLogs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SubjectId = table.Column<long>(type: "INTEGER", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TransparencyLogs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TransparencyNodes",
                columns: table => new
                {
                    LogId = table.Column<long>(type: "INTEGER", nullable: false),
                    Key = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TransparencyNodes", x => new { x.LogId, x.Key });
                });

            migrationBuilder.CreateTable(
                name: "FundBudgetApprovals",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BudgetId = table.Column<long>(type: "INTEGER", nullable: false),
                    AdminUserId = table.Column<long>(type: "INTEGER", nullable: false),
                    ByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundBudgetApprovals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FundBudgetApprovals_FundBudgets_BudgetId",
                        column: x => x.BudgetId,
                        principalTable: "FundBudgets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FundBudgetLines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BudgetId = table.Column<long>(type: "INTEGER", nullable: false),
                    EstateId = table.Column<long>(type: "INTEGER", nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    PlannedFen = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundBudgetLines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FundBudgetLines_FundBudgets_BudgetId",
                        column: x => x.BudgetId,
                        principalTable: "FundBudgets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FundExpenseApprovals",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExpenseId = table.Column<long>(type: "INTEGER", nullable: false),
                    AdminUserId = table.Column<long>(type: "INTEGER", nullable: false),
                    ByName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundExpenseApprovals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FundExpenseApprovals_FundExpenses_ExpenseId",
                        column: x => x.ExpenseId,
                        principalTable: "FundExpenses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FundExpenseSteps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExpenseId = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FundExpenseSteps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FundExpenseSteps_FundExpenses_ExpenseId",
                        column: x => x.ExpenseId,
                        principalTable: "FundExpenses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FundAttachments_EstateId_EntrySeq",
                table: "FundAttachments",
                columns: new[] { "EstateId", "EntrySeq" });

            migrationBuilder.CreateIndex(
                name: "IX_FundAttachments_EstateId_ExpenseId",
                table: "FundAttachments",
                columns: new[] { "EstateId", "ExpenseId" });

            migrationBuilder.CreateIndex(
                name: "IX_FundAttachments_FileId",
                table: "FundAttachments",
                column: "FileId");

            migrationBuilder.CreateIndex(
                name: "IX_FundBudgetApprovals_BudgetId_AdminUserId",
                table: "FundBudgetApprovals",
                columns: new[] { "BudgetId", "AdminUserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundBudgetLines_BudgetId_Name",
                table: "FundBudgetLines",
                columns: new[] { "BudgetId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundBudgetLines_EstateId_Year",
                table: "FundBudgetLines",
                columns: new[] { "EstateId", "Year" });

            migrationBuilder.CreateIndex(
                name: "IX_FundBudgets_EstateId_Year",
                table: "FundBudgets",
                columns: new[] { "EstateId", "Year" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundEntries_EstateId_At",
                table: "FundEntries",
                columns: new[] { "EstateId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_FundEntries_EstateId_Seq",
                table: "FundEntries",
                columns: new[] { "EstateId", "Seq" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundEntries_ExpenseId",
                table: "FundEntries",
                column: "ExpenseId");

            migrationBuilder.CreateIndex(
                name: "IX_FundEntries_SourceKey",
                table: "FundEntries",
                column: "SourceKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundExpenseApprovals_ExpenseId_AdminUserId",
                table: "FundExpenseApprovals",
                columns: new[] { "ExpenseId", "AdminUserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundExpenses_EstateId_Status",
                table: "FundExpenses",
                columns: new[] { "EstateId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_FundExpenses_ProposedByAdminId_IdempotencyKey",
                table: "FundExpenses",
                columns: new[] { "ProposedByAdminId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundExpenseSteps_ExpenseId_At",
                table: "FundExpenseSteps",
                columns: new[] { "ExpenseId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_FundQuestions_EstateId_ExpenseId",
                table: "FundQuestions",
                columns: new[] { "EstateId", "ExpenseId" });

            migrationBuilder.CreateIndex(
                name: "IX_FundQuestions_ResidentId_IdempotencyKey",
                table: "FundQuestions",
                columns: new[] { "ResidentId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FundStatements_EstateId_Month",
                table: "FundStatements",
                columns: new[] { "EstateId", "Month" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TransparencyLogs_Kind_SubjectId",
                table: "TransparencyLogs",
                columns: new[] { "Kind", "SubjectId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FundAccounts");

            migrationBuilder.DropTable(
                name: "FundAttachments");

            migrationBuilder.DropTable(
                name: "FundBudgetApprovals");

            migrationBuilder.DropTable(
                name: "FundBudgetLines");

            migrationBuilder.DropTable(
                name: "FundEntries");

            migrationBuilder.DropTable(
                name: "FundExpenseApprovals");

            migrationBuilder.DropTable(
                name: "FundExpenseSteps");

            migrationBuilder.DropTable(
                name: "FundQuestions");

            migrationBuilder.DropTable(
                name: "FundStatements");

            migrationBuilder.DropTable(
                name: "TransparencyHeads");

            migrationBuilder.DropTable(
                name: "TransparencyLogs");

            migrationBuilder.DropTable(
                name: "TransparencyNodes");

            migrationBuilder.DropTable(
                name: "FundBudgets");

            migrationBuilder.DropTable(
                name: "FundExpenses");
        }
    }
}
